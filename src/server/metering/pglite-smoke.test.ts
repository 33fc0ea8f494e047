import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { executeRows } from "@/db/execute";
import { meters } from "@/db/schema";
import { ingestEvents } from "./ingest-events";
import { getCustomerUsage } from "./get-customer-usage";
import { cloudEvent, rollUpEverything } from "./test-events";
import { verifyRollups } from "./verify-rollups";
import { createPgliteTestDatabase } from "@/test/database";

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createPgliteTestDatabase();
});
afterAll(async () => {
  await handle.close();
});

describe("metering on PGlite (development)", () => {
  it("ingests and deduplicates", async () => {
    const batch = [cloudEvent({ source: "pglite", id: "1" }), cloudEvent({ source: "pglite", id: "2" })];
    expect((await ingestEvents(handle.db, batch)).accepted).toBe(2);
    expect((await ingestEvents(handle.db, batch)).duplicates).toBe(2);
    const rows = await executeRows<{ count: number | string }>(handle.db, sql`select count(*) as count from usage_events`);
    expect(Number(rows[0]?.count)).toBe(2);
  });

  it("rolls up, verifies and answers usage", async () => {
    await handle.db.insert(meters).values({ key: "requests", name: "Requests", eventType: "api.request", aggregation: "count" });
    await rollUpEverything(handle.db);
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const range = { from: new Date(hour - 3_600_000), to: new Date(hour + 3_600_000) };
    expect(await verifyRollups(handle.db, range)).toMatchObject({ differences: 0, uniqueValueDifferences: 0 });
    const usage = await getCustomerUsage(handle.db, { externalId: "cus_test", meterKey: "requests", ...range, window: "day" });
    expect(usage.totals[0]?.value).toBe("2");
  });
});
