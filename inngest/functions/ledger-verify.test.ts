import { InngestTestEngine } from "@inngest/test";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { systemActor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { ensureAccounts } from "@/server/ledger/ensure-accounts";
import { postTransactions } from "@/server/ledger/post-transactions";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { createLedgerVerifyFunction } from "./ledger-verify";

let database: TestDatabase;
const clock = fixedClock("2026-11-01T00:00:00Z");

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("ledger-verify Inngest function", () => {
  it("runs the same job as `npm run job -- ledger:verify`, and reports a corrupted balance", async () => {
    const [cash, revenue] = await ensureAccounts(database.db, [
      { code: "cash:stripe", kind: "asset", currency: "usd" },
      { code: "revenue:usage:agent", kind: "revenue", currency: "usd" },
    ]);
    const { results } = await postTransactions(
      database.db,
      [
        {
          idempotencyKey: "inngest-verify-1",
          kind: "payment",
          actor: systemActor("test"),
          entries: [
            { accountId: cash!.id, direction: "debit", amount: 1_250_000n, currency: "usd" },
            { accountId: revenue!.id, direction: "credit", amount: 1_250_000n, currency: "usd" },
          ],
        },
      ],
      { clock },
    );
    expect(results[0]?.status).toBe("created");

    const verify = createLedgerVerifyFunction(async () => ({ db: database.db, clock }));
    const clean = await new InngestTestEngine({ function: verify }).execute();
    expect(clean.error).toBeUndefined();
    expect(clean.result).toMatchObject({ ok: true, differenceCount: 0 });

    // Bypass the triggers as a superuser would, so the balance no longer equals its entries.
    await database.db.transaction(async (tx) => {
      await executeRows(tx, sql`set local session_replication_role = replica`);
      await executeRows(tx, sql`insert into ledger_balance_deltas (account_id, posted_debits, posted_credits, pending_debits, pending_credits)
                                values (${cash!.id}, 1, 0, 0, 0)`);
    });
    const corrupted = await new InngestTestEngine({ function: verify }).execute();
    expect(corrupted.result).toMatchObject({ ok: false });
    expect((corrupted.result as { differenceCount: number }).differenceCount).toBeGreaterThan(0);
  });
});
