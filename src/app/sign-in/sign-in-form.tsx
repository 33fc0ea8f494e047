"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

type Props = {
  callbackUrl: string;
  passwordEnabled: boolean;
  ssoEnabled: boolean;
  demoAccounts: { email: string; role: string }[];
  initialError: string | null;
};

export function SignInForm({ callbackUrl, passwordEnabled, ssoEnabled, demoAccounts, initialError }: Props) {
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(initialError);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(null);
    const result = await signIn("credentials", { email, password, redirect: false });
    setPending(false);
    if (!result || result.error) {
      setError(
        result?.error === "too_many_attempts"
          ? "Too many failed sign-ins for this account or address. Wait a few minutes, then try again."
          : "That email and password do not match an active user.",
      );
      return;
    }
    router.push(callbackUrl);
    router.refresh();
  }

  return (
    <Card className="w-full max-w-sm">
      <CardHeader>
        <h1 className="text-xl font-semibold leading-none tracking-tight">Sign in to Tally</h1>
        <CardDescription>The billing console for customer success, product, finance and admins.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {error ? <Alert variant="destructive" data-testid="sign-in-error">{error}</Alert> : null}
        {passwordEnabled ? (
          <form onSubmit={submit} className="flex flex-col gap-3">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="email">Email</Label>
              <Input id="email" type="email" autoComplete="username" autoFocus required value={email} onChange={(event) => setEmail(event.target.value)} />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="password">Password</Label>
              <Input id="password" type="password" autoComplete="current-password" required value={password} onChange={(event) => setPassword(event.target.value)} />
            </div>
            <Button type="submit" disabled={pending}>
              {pending ? "Signing in…" : "Sign in"}
            </Button>
          </form>
        ) : null}
        {ssoEnabled ? (
          <Button variant="outline" onClick={() => void signIn("oidc", { callbackUrl })}>
            Continue with single sign-on
          </Button>
        ) : null}
        {!passwordEnabled && !ssoEnabled ? (
          <Alert variant="destructive">No sign-in method is configured. Set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET.</Alert>
        ) : null}
        {demoAccounts.length > 0 ? (
          <div className="rounded-md border border-dashed p-3 text-xs text-muted-foreground">
            <p className="mb-2 font-medium text-foreground">Demo users (password tally-demo)</p>
            <div className="flex flex-wrap gap-2">
              {demoAccounts.map((account) => (
                <Button
                  key={account.email}
                  type="button"
                  size="sm"
                  variant="secondary"
                  onClick={() => {
                    setEmail(account.email);
                    setPassword("tally-demo");
                  }}
                >
                  {account.role}
                </Button>
              ))}
            </div>
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}
