import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { fixedClock } from "@/server/clock";
import { checkEntitlement } from "@/server/entitlements/check-entitlement";
import { flushDenialCounts } from "@/server/entitlements/count-denials";
import { createEntitlementCatalog, createSubscribedCustomer } from "@/server/entitlements/test-fixtures";
import { ingestEvents } from "@/server/metering/ingest-events";
import { cloudEvent, rollUpEverything } from "@/server/metering/test-events";
import { createTestDatabase, type TestDatabase } from "@/test/database";

/** The two per-customer counters the detectors read: rejected events by subject, refused checks by customer. */
let database: TestDatabase;
const now = "2026-04-20T12:30:00Z";

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
});
afterAll(async () => {
  await database.drop();
});

describe("rejected events by subject", () => {
  it("counts a subject's rejected events per hour and code, with the last message; accepted traffic writes nothing", async () => {
    const clock = fixedClock(now);
    await ingestEvents(database.db, [cloudEvent({ subject: "acme", time: now }), cloudEvent({ subject: "acme", time: now })], { clock });
    expect(await executeRows(database.db, sql`select * from metering_subject_rejections`)).toEqual([]);
    const batch = [
      cloudEvent({ subject: "acme", time: "2026-04-20T18:00:00Z" }),
      cloudEvent({ subject: "acme", time: "2026-04-20T19:00:00Z" }),
      cloudEvent({ subject: "acme", time: "yesterday" }),
      cloudEvent({ subject: "globex", time: "2026-04-20T18:00:00Z" }),
      cloudEvent({ subject: undefined }),
      cloudEvent({ subject: "acme", time: now }),
    ];
    const result = await ingestEvents(database.db, batch, { clock });
    expect(result).toMatchObject({ accepted: 1, rejected: 5 });
    await ingestEvents(database.db, [cloudEvent({ subject: "acme", time: "2026-04-20T20:00:00Z" })], { clock });
    const rows = await executeRows<{ hour: Date; subject: string; code: string; count: string; last_message: string }>(
      database.db,
      sql`select hour, subject, code, count::text, last_message from metering_subject_rejections order by subject, code`,
    );
    expect(rows.map(({ hour, subject, code, count }) => [new Date(hour).toISOString(), subject, code, count])).toEqual([
      ["2026-04-20T12:00:00.000Z", "acme", "in_future", "3"],
      ["2026-04-20T12:00:00.000Z", "acme", "invalid_time", "1"],
      ["2026-04-20T12:00:00.000Z", "globex", "in_future", "1"],
    ]);
    expect(rows[0]!.last_message).toMatch(/future/);
  });
});

describe("refused checks by customer", () => {
  it("counts refusals for an exhausted allowance in memory and flushes them per hour, feature and reason", async () => {
    const catalog = await createEntitlementCatalog(database.db);
    const version = await catalog.publish([{ featureKey: catalog.featureKeys.requests, kind: "metered", meterKey: catalog.meterKeys.requests, allowancePerPeriod: "2", overage: "block" }]);
    const customer = await createSubscribedCustomer(database.db, { planVersionId: version.id });
    const clock = fixedClock(now);
    const events = Array.from({ length: 2 }, () => cloudEvent({ type: `req.${catalog.meterKeys.requests.slice(9)}`, subject: customer.externalId, time: now, data: {} }));
    await ingestEvents(database.db, events, { clock });
    await rollUpEverything(database.db);
    for (let attempt = 0; attempt < 7; attempt++) {
      expect(await checkEntitlement(database.db, { customer: customer.externalId, feature: catalog.featureKeys.requests }, { clock })).toMatchObject({ allowed: false, reason: "allowance_exhausted" });
    }
    await checkEntitlement(database.db, { customer: customer.externalId, feature: "no_such_feature" }, { clock });
    expect(await flushDenialCounts(database.db)).toBe(1);
    expect(await flushDenialCounts(database.db)).toBe(0);
    const rows = await executeRows<{ feature_key: string; reason: string; count: string }>(database.db, sql`select feature_key, reason, count::text from entitlement_denial_counts where customer_id = ${customer.id}`);
    expect(rows).toEqual([{ feature_key: catalog.featureKeys.requests, reason: "allowance_exhausted", count: "7" }]);
  });
});
