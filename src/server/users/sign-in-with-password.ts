import { createHash } from "node:crypto";
import type { Db } from "@/db/client";
import type { User } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { consumeRateLimit, refundRateLimit, resetRateLimit } from "@/server/rate-limit";
import { verifyPassword } from "./verify-password";

/** Failed attempts allowed per window: per account (whoever tries) and per client address (whichever accounts). */
export const signInLimits = {
  account: { limit: 5, windowMs: 15 * 60_000 },
  address: { limit: 30, windowMs: 15 * 60_000 },
} as const;

export type SignInWithPasswordInput = {
  email: string;
  password: string;
  /** The client's address as this server trusts it (src/server/auth/client-address.ts). */
  address: string;
  clock?: Clock;
  limits?: { account: { limit: number; windowMs: number }; address: { limit: number; windowMs: number } };
};

export type SignInWithPasswordResult =
  | { ok: true; user: User }
  | { ok: false; code: "invalid_credentials" }
  | { ok: false; code: "too_many_attempts"; retryAfterMs: number };

function accountKey(email: string): string {
  return `sign-in:account:${createHash("sha256").update(email.trim().toLowerCase()).digest("hex")}`;
}

function addressKey(address: string): string {
  return `sign-in:address:${address.slice(0, 100) || "unknown"}`;
}

/**
 * Email + password sign-in, throttled in PostgreSQL (so the limit holds across server processes):
 * an account takes 5 attempts per 15 minutes, refilled one per 3 minutes, and an address 30
 * failures. Both allowances are spent before the password is checked, each in one statement, so
 * concurrent guesses cannot slip past either; a success gives the account its allowance back and
 * the address its unit (a whole office signs in from one address), and an attempt the account's
 * limit refused gives the address its unit back (no password was tried). Unknown emails are
 * throttled the same way.
 */
export async function signInWithPassword(db: Db, input: SignInWithPasswordInput): Promise<SignInWithPasswordResult> {
  const limits = input.limits ?? signInLimits;
  const account = { key: accountKey(input.email), ...limits.account, clock: input.clock };
  const address = { key: addressKey(input.address), ...limits.address, clock: input.clock };
  const addressSpend = await consumeRateLimit(db, address);
  if (!addressSpend.allowed) return { ok: false, code: "too_many_attempts", retryAfterMs: addressSpend.retryAfterMs };
  const accountSpend = await consumeRateLimit(db, account);
  if (!accountSpend.allowed) {
    await refundRateLimit(db, address);
    return { ok: false, code: "too_many_attempts", retryAfterMs: accountSpend.retryAfterMs };
  }
  const user = await verifyPassword(db, input.email, input.password);
  if (!user) return { ok: false, code: "invalid_credentials" };
  await Promise.all([resetRateLimit(db, account.key), refundRateLimit(db, address)]);
  return { ok: true, user };
}
