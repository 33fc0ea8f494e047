import { redirect } from "next/navigation";
import { demoUsers } from "@/server/users/demo-users";
import { oidcConfigured, passwordSignInEnabled } from "@/server/auth/options";
import { getSessionUser } from "@/server/auth/session";
import { sameOriginPath } from "@/lib/same-origin-path";
import { SignInForm } from "./sign-in-form";

export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const params = await searchParams;
  if (await getSessionUser()) redirect(sameOriginPath(params.callbackUrl));
  return (
    <main className="flex min-h-screen items-center justify-center bg-muted/40 p-6">
      <SignInForm
        callbackUrl={sameOriginPath(params.callbackUrl)}
        passwordEnabled={passwordSignInEnabled()}
        ssoEnabled={oidcConfigured()}
        demoAccounts={passwordSignInEnabled() ? demoUsers.map(({ email, role }) => ({ email, role })) : []}
        initialError={params.error ? "Sign-in failed. Check your email and password, or ask an admin for access." : null}
      />
    </main>
  );
}
