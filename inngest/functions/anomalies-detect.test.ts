import { InngestTestEngine } from "@inngest/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anomalies } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { createTestCustomer } from "@/server/ledger/test-fixtures";
import { issueGrant } from "@/server/grants/issue-grant";
import { systemActor } from "@/server/audit/actor";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { createAnomaliesDetectDailyFunction, createAnomaliesDetectHourlyFunction } from "./anomalies-detect";

let database: TestDatabase;
const clock = fixedClock("2026-05-01T00:00:00Z");

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("anomalies-detect Inngest functions", () => {
  it("run anomalies:detect in one step, hourly and daily, and a second run opens nothing", async () => {
    const customerId = await createTestCustomer(database.db);
    await issueGrant(database.db, systemActor("test"), clock, { customerId, amountMicros: 250_000_000n, category: "promotional", source: "promotion", expiresAt: new Date("2026-05-03T00:00:00Z"), idempotencyKey: "inngest-anomalies-1" });
    const context = async () => ({ db: database.db, clock });
    const hourly = new InngestTestEngine({ function: createAnomaliesDetectHourlyFunction(context) });
    const first = await hourly.execute();
    expect(first.error).toBeUndefined();
    expect(first.result).toMatchObject({ mode: "hourly", opened: [{ kind: "credit_burn" }] });
    const daily = new InngestTestEngine({ function: createAnomaliesDetectDailyFunction(context) });
    const second = await daily.execute();
    expect(second.error).toBeUndefined();
    expect(second.result).toMatchObject({ mode: "daily", opened: [] });
    expect(await database.db.select().from(anomalies)).toHaveLength(1);
  });
});
