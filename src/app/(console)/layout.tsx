import { redirect } from "next/navigation";
import { NuqsAdapter } from "nuqs/adapters/next/app";
import type { ReactNode } from "react";
import { MobileNav, SidebarNav } from "@/components/console/console-nav";
import { GlobalSearch } from "@/components/console/global-search";
import { navigation } from "@/components/console/navigation";
import { SignOutButton } from "@/components/console/sign-out-button";
import { Badge } from "@/components/ui/badge";
import { Toaster } from "@/components/ui/sonner";
import { can } from "@/server/api/permissions";
import { getSessionUser } from "@/server/auth/session";

export const dynamic = "force-dynamic";

/**
 * The console shell: a skip link, the sidebar (from 1024 px; a menu button below), a header with
 * who is signed in, and the page in `<main>`, which never scrolls sideways: wide tables scroll
 * inside their card.
 */
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const user = await getSessionUser();
  if (!user) redirect("/sign-in");
  const visible = navigation.filter((item) => can(user.role, item.permission)).map(({ href, label, section }) => ({ href, label, section }));
  return (
    <div className="flex min-h-screen">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-background px-4 py-2 text-sm font-medium shadow focus:not-sr-only focus:fixed focus:left-4 focus:top-4"
      >
        Skip to main content
      </a>
      <SidebarNav items={visible} />
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-14 items-center gap-3 border-b px-4 sm:px-6">
          <MobileNav items={visible} />
          <GlobalSearch />
          <div className="ml-auto flex min-w-0 items-center gap-3">
            <span className="hidden truncate text-sm text-muted-foreground sm:inline" data-testid="signed-in-as">
              {user.email}
            </span>
            <Badge variant="secondary" data-testid="signed-in-role">
              {user.role}
            </Badge>
            <SignOutButton />
          </div>
        </header>
        <main id="main" tabIndex={-1} className="min-w-0 flex-1 p-4 outline-none sm:p-6">
          {/* URL state (nuqs) for the lists' filters, sort and page. */}
          <NuqsAdapter>{children}</NuqsAdapter>
        </main>
      </div>
      <Toaster />
    </div>
  );
}
