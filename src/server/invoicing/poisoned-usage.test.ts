import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { billingSettings, subscriptions } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { checkEntitlement } from "@/server/entitlements/check-entitlement";
import { listEntitlements } from "@/server/entitlements/list-entitlements";
import { isDomainError } from "@/server/errors";
import { listOpenItemFailures } from "@/server/jobs/item-failures";
import { findJob } from "@/server/jobs/registry";
import { ingestEvents } from "@/server/metering/ingest-events";
import { rollUpEverything } from "@/server/metering/test-events";
import { verifyRollups } from "@/server/metering/verify-rollups";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { previewUnbilledUsage } from "./preview-unbilled-usage";
import { createSubscribedCustomer, createTestCatalog, ingestAndRollUp, usageEvent, type TestCatalog } from "./test-fixtures";

/*
 * Issue 16, defect 1: usage stored before ingestion checked values (1e50, a negative) must not
 * break entitlement checks, the customer page's reads or threshold invoicing: the bad customers
 * are recorded, the others are billed, and `metering:verify --repair` brings the rollups to
 * today's rule.
 */

const anchor = new Date(Date.UTC(2026, 0, 1));
const now = new Date(Date.UTC(2026, 0, 10, 12));
const clock = fixedClock(now);
let database: TestDatabase;
let catalog: TestCatalog;
let huge: Awaited<ReturnType<typeof createSubscribedCustomer>>;
let negative: Awaited<ReturnType<typeof createSubscribedCustomer>>;
let healthy: Awaited<ReturnType<typeof createSubscribedCustomer>>;

/** What the code before the fix stored: the event unchecked, and its value summed into the rollup. */
async function storePoison(subject: string, tokens: string): Promise<void> {
  const time = new Date(Date.UTC(2026, 0, 5, 10, 30));
  const event: Record<string, unknown> = { ...usageEvent(catalog.eventTypes.tokens, subject, time, {}), data: { model: "opus", tokens: 0 } };
  await ingestEvents(database.db, [event], { clock, meterValueRules: new Map() });
  await rollUpEverything(database.db);
  await executeRows(
    database.db,
    sql`update usage_events set data = jsonb_set(data, '{tokens}', ${tokens}::jsonb) where event_id = ${event.id as string}`,
  );
  await executeRows(
    database.db,
    sql`update usage_rollups set sum_value = sum_value + ${tokens}::numeric, max_value = greatest(max_value, ${tokens}::numeric)
        where subject = ${subject} and window_start = '2026-01-05T10:00:00Z'`,
  );
}

beforeAll(async () => {
  database = await createTestDatabase();
  catalog = await createTestCatalog(database.db, { tokenAllowance: "1000" });
  await database.db.insert(billingSettings).values({ key: catalog.planVersionId, thresholdMicros: 1n, updatedBy: "test" });
  huge = await createSubscribedCustomer(database.db, { planVersionId: catalog.planVersionId, anchor });
  negative = await createSubscribedCustomer(database.db, { planVersionId: catalog.planVersionId, anchor });
  healthy = await createSubscribedCustomer(database.db, { planVersionId: catalog.planVersionId, anchor });
  await database.db.update(subscriptions).set({ spendLimitMicros: 50_000_000n }).where(eq(subscriptions.id, huge.subscriptionId));
  const events = [huge, negative, healthy].map((customer) =>
    usageEvent(catalog.eventTypes.tokens, customer.externalId, new Date(Date.UTC(2026, 0, 5, 10, 5)), { model: "opus", tokens: 2_000 }),
  );
  await ingestAndRollUp(database.db, events, clock);
  await storePoison(huge.externalId, "1e50");
  await storePoison(negative.externalId, "-100000");
});
afterAll(async () => {
  await database.drop();
});

describe("usage stored before values were checked", () => {
  it("never makes an entitlement check or the customer's entitlements throw", async () => {
    const feature = `tokens_${catalog.suffix}`;
    const hugeCheck = await checkEntitlement(database.db, { customer: huge.externalId, feature }, { clock });
    expect(hugeCheck).toMatchObject({ allowed: false, reason: "spend_limit_reached" });
    expect(hugeCheck.used?.length).toBeGreaterThan(40);
    const negativeCheck = await checkEntitlement(database.db, { customer: negative.externalId, feature }, { clock });
    expect(negativeCheck).toMatchObject({ allowed: true, used: "0" });
    const listed = await listEntitlements(database.db, { customerId: huge.customerId }, { clock });
    expect(listed.spendLimit?.usedMicros).toBe(50_000_000n);
    await expect(checkEntitlement(database.db, { customer: healthy.externalId, feature }, { clock })).resolves.toMatchObject({ allowed: true, used: "2000" });
  });

  it("names the problem in the unbilled preview instead of billing it", async () => {
    const error = await previewUnbilledUsage(database.db, { customerId: huge.customerId }, { clock }).catch((caught: unknown) => caught);
    expect(isDomainError(error) && error.code).toBe("usage_out_of_range");
  });

  it("invoicing:thresholds records the bad subscriptions and bills the rest; a repair lets them bill", async () => {
    const job = findJob("invoicing:thresholds")!;
    const context = { db: database.db, clock, log: () => {} };
    const first = await job.run(context, {});
    expect(first.ok).toBe(false);
    expect(first.invoicesCreated).toBe(1);
    const failed = first.failed as { itemKey: string; code: string }[];
    expect(failed.map((failure) => failure.code)).toEqual(["usage_out_of_range", "usage_out_of_range"]);
    expect(new Set(failed.map((failure) => failure.itemKey))).toEqual(new Set([`subscription:${huge.subscriptionId}:threshold`, `subscription:${negative.subscriptionId}:threshold`]));
    expect((await listOpenItemFailures(database.db, { job: "invoicing:thresholds" })).map((failure) => failure.attempts)).toEqual([1, 1]);

    const range = { from: new Date(Date.UTC(2026, 0, 5)), to: new Date(Date.UTC(2026, 0, 6)) };
    expect((await verifyRollups(database.db, range)).differences).toBe(2);
    expect((await verifyRollups(database.db, { ...range, repair: true })).repairedWindows).toBe(2);
    expect((await verifyRollups(database.db, range)).differences).toBe(0);

    const second = await job.run(context, {});
    expect(second).toMatchObject({ ok: true, invoicesCreated: 2, failed: [] });
    expect(await listOpenItemFailures(database.db, { job: "invoicing:thresholds" })).toEqual([]);
  });
});
