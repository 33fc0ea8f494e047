import bcrypt from "bcryptjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { signInWithPassword } from "./sign-in-with-password";

/*
 * Issue 16 #9: 200 wrong passwords at 6/s, then the right one, worked; and a wrong password for
 * a real user took 78 ms against 7 ms for an unknown email. Real PostgreSQL (the limits live in
 * rate_limits, shared by every server process), real bcrypt.
 */
let database: TestDatabase;
const password = "correct horse battery staple";

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 8 });
  const passwordHash = await bcrypt.hash(password, 10);
  await database.db.insert(users).values([
    { email: "finance@tally.test", name: "Finance", role: "finance", passwordHash },
    { email: "timing@tally.test", name: "Timing", role: "support", passwordHash },
    { email: "office@tally.test", name: "Office", role: "support", passwordHash },
  ]);
});
afterAll(async () => {
  await database?.drop();
});

describe("password sign-in throttling", () => {
  it("refuses the right password after 5 wrong ones, until the account's allowance refills", async () => {
    const clock = fixedClock("2026-12-01T09:00:00Z");
    const attempt = (guess: string, address = "203.0.113.7") => signInWithPassword(database.db, { email: "finance@tally.test", password: guess, address, clock });
    for (let index = 0; index < 5; index++) expect(await attempt(`wrong-${index}`)).toEqual({ ok: false, code: "invalid_credentials" });
    expect(await attempt(password)).toMatchObject({ ok: false, code: "too_many_attempts", retryAfterMs: 3 * 60_000 });
    // From another address too: the limit is the account's.
    expect(await attempt(password, "198.51.100.9")).toMatchObject({ ok: false, code: "too_many_attempts" });
    clock.advanceMs(2 * 60_000);
    expect(await attempt(password)).toMatchObject({ ok: false, code: "too_many_attempts", retryAfterMs: 60_000 });
    clock.advanceMs(60_000);
    expect(await attempt(password)).toMatchObject({ ok: true, user: { email: "finance@tally.test" } });
    // A success gives the account its allowance back.
    for (let index = 0; index < 4; index++) expect((await attempt(`again-${index}`)).ok).toBe(false);
    expect(await attempt(password)).toMatchObject({ ok: true });
  });

  it("refuses an address after 30 failures across accounts (known or not), not other addresses", async () => {
    const clock = fixedClock("2026-12-01T10:00:00Z");
    const from = (address: string, email: string, guess: string) => signInWithPassword(database.db, { email, password: guess, address, clock });
    for (let index = 0; index < 30; index++) {
      expect(await from("192.0.2.66", `nobody-${index}@tally.test`, "guess")).toEqual({ ok: false, code: "invalid_credentials" });
    }
    expect(await from("192.0.2.66", "office@tally.test", password)).toMatchObject({ ok: false, code: "too_many_attempts" });
    expect(await from("192.0.2.67", "office@tally.test", password)).toMatchObject({ ok: true });
    // Successes do not use up an address: an office of people signing in is not throttled.
    for (let index = 0; index < 40; index++) expect((await from("192.0.2.68", "office@tally.test", password)).ok).toBe(true);
  });

  it("admits exactly the address's limit of concurrent wrong guesses, from any number of accounts at once", async () => {
    const limits = { account: { limit: 5, windowMs: 15 * 60_000 }, address: { limit: 10, windowMs: 15 * 60_000 } };
    const clock = fixedClock("2026-12-01T11:00:00Z");
    // 40 guesses in flight together, each for another account, so only the address can stop them.
    // A check before the attempt and a charge after it let all of them past the check.
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, index) => signInWithPassword(database.db, { email: `burst-${index}@tally.test`, password: "guess", address: "192.0.2.99", clock, limits })),
    );
    expect(results.filter((result) => !result.ok && result.code === "invalid_credentials")).toHaveLength(10);
    expect(results.filter((result) => !result.ok && result.code === "too_many_attempts")).toHaveLength(30);
    // Refused attempts spent nothing: one refill step later exactly one more guess is admitted.
    clock.advanceMs(90_000);
    const after = await Promise.all(Array.from({ length: 5 }, (_, index) => signInWithPassword(database.db, { email: `later-${index}@tally.test`, password: "guess", address: "192.0.2.99", clock, limits })));
    expect(after.filter((result) => !result.ok && result.code === "invalid_credentials")).toHaveLength(1);
  });

  it("admits exactly the account's limit of concurrent guesses, from many addresses at once", async () => {
    const limits = { account: { limit: 5, windowMs: 15 * 60_000 }, address: { limit: 100, windowMs: 15 * 60_000 } };
    const clock = fixedClock("2026-12-01T12:00:00Z");
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, index) => signInWithPassword(database.db, { email: "office@tally.test", password: `guess-${index}`, address: `198.51.100.${index}`, clock, limits })),
    );
    expect(results.filter((result) => !result.ok && result.code === "invalid_credentials")).toHaveLength(5);
    // An address the account's limit turned away was given its unit back: it can still try another account.
    expect(await signInWithPassword(database.db, { email: "timing@tally.test", password, address: "198.51.100.29", clock, limits })).toMatchObject({ ok: true });
  });

  it("takes as long for an unknown email as for a real user's wrong password", async () => {
    const generous = { account: { limit: 1_000, windowMs: 60_000 }, address: { limit: 1_000, windowMs: 60_000 } };
    const timeOne = async (email: string) => {
      const started = performance.now();
      const result = await signInWithPassword(database.db, { email, password: "not-the-password", address: "203.0.113.50", limits: generous });
      expect(result.ok).toBe(false);
      return performance.now() - started;
    };
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const known: number[] = [];
    const unknown: number[] = [];
    await timeOne("nobody-warmup@tally.test"); // the dummy hash is made once per process
    for (let round = 0; round < 7; round++) {
      known.push(await timeOne("timing@tally.test"));
      unknown.push(await timeOne(`nobody-${round}@example.com`));
    }
    // bcrypt at cost 10 is tens of ms; a path without it is a few. Generous bounds for a busy machine.
    const ratio = median(unknown) / median(known);
    expect(ratio, `unknown ${median(unknown).toFixed(1)} ms, known ${median(known).toFixed(1)} ms`).toBeGreaterThan(0.4);
    expect(ratio).toBeLessThan(2.5);
  });
});
