import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemActor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { issueGrant } from "@/server/grants/issue-grant";
import { listCustomerGrants } from "@/server/grants/list-customer-grants";
import { createTestCustomer } from "@/server/ledger/test-fixtures";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { createGrantsExpireFunction } from "./grants-expire";

let database: TestDatabase;
const clock = fixedClock("2026-05-01T00:00:00Z");

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("grants-expire Inngest function", () => {
  it("runs the grants:expire job in one step and empties expired grants", async () => {
    const customerId = await createTestCustomer(database.db);
    const { grant } = await issueGrant(database.db, systemActor("test"), clock, {
      customerId,
      amountMicros: 7_500_000n,
      category: "promotional",
      source: "promotion",
      expiresAt: new Date("2026-05-02T00:00:00Z"),
      idempotencyKey: "inngest-expire-1",
    });
    clock.set("2026-05-02T01:00:00Z");
    const engine = new InngestTestEngine({ function: createGrantsExpireFunction(async () => ({ db: database.db, clock })) });
    const { result, error } = await engine.execute();
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ grantsExpired: 1, remainderMicros: { usd: "7500000" }, more: false });
    const [view] = await listCustomerGrants(database.db, customerId, clock.now());
    expect(view).toMatchObject({ id: grant.id, remainingMicros: 0n, state: "expired" });
    await expectLedgerConsistent(database.db);
  });
});
