import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { fixedClock } from "@/server/clock";
import { closeItemKey } from "@/server/invoicing/close-due-periods";
import { recordItemFailures } from "@/server/jobs/item-failures";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { detectAnomalies } from "./detect-anomalies";

/*
 * Issue 16 #1 / issue 12: a batch job that cannot process one item records it and finishes the
 * rest; the anomaly queue must then show it, for the item's customer, until a run processes it.
 */
let database: TestDatabase;
let subscriptionId: string;
let customerId: string;
let otherSubscriptionId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedCatalog(database.db);
  const [customer, other] = await executeRows<{ id: string }>(
    database.db,
    sql`insert into customers (external_id, name, email, kind) values ('jf_1', 'Job Failure One', 'one@example.com', 'team'), ('jf_2', 'Job Failure Two', 'two@example.com', 'team') returning id`,
  );
  customerId = customer!.id;
  const subscriptions = await executeRows<{ id: string }>(
    database.db,
    sql`insert into subscriptions (customer_id, plan_version_id, status, billing_anchor)
        select c.id, (select v.id from catalog_plan_versions v where v.status = 'published' limit 1), 'active', '2026-05-01T00:00:00Z'
        from (values (${customerId}::uuid, 1), (${other!.id}::uuid, 2)) as c(id, n) order by c.n returning id`,
  );
  subscriptionId = subscriptions[0]!.id;
  otherSubscriptionId = subscriptions[1]!.id;
});
afterAll(async () => {
  await database.drop();
});

async function jobFailureAnomalies() {
  return executeRows<{ customer_id: string | null; subject: string; status: string; severity: string; title: string; evidence: { code: string; attempts: number } }>(
    database.db,
    sql`select customer_id::text, subject, status, severity, title, evidence from anomalies where kind = 'job_failure' order by subject`,
  );
}

describe("job_failure anomalies", () => {
  it("opens one high anomaly per failed item, for the item's customer, naming the job and the error; a rerun adds nothing", async () => {
    const periodStart = new Date("2026-06-01T00:00:00Z");
    const key = closeItemKey(subscriptionId, periodStart);
    expect(await jobFailureAnomalies()).toEqual([]);
    await detectAnomalies(database.db, { clock: fixedClock("2026-06-02T00:00:00Z"), mode: "manual", kinds: ["job_failure"] });
    expect(await jobFailureAnomalies()).toEqual([]); // nothing failed: nothing fires

    await recordItemFailures(database.db, "invoicing:close", [{ itemKey: key, code: "usage_value_invalid", message: "usage quantity 1e50 cannot be rated" }], { now: periodStart });
    await recordItemFailures(database.db, "grants:expire", [{ itemKey: "grant:not-a-uuid", code: "internal_error", message: "boom" }], { now: periodStart });
    await detectAnomalies(database.db, { clock: fixedClock("2026-06-02T00:00:00Z"), mode: "manual", kinds: ["job_failure"] });
    const [grant, close] = await jobFailureAnomalies();
    expect(close).toMatchObject({ customer_id: customerId, subject: `job:invoicing:close:${key}`, status: "open", severity: "high" });
    expect(close!.title).toContain("Period close failed");
    expect(close!.title).toContain("usage_value_invalid");
    expect(close!.evidence).toMatchObject({ code: "usage_value_invalid", attempts: 1 });
    // An item that names no customer is still raised, without one.
    expect(grant).toMatchObject({ customer_id: null, status: "open" });

    // The job fails the same item again: the same anomaly, now saying how many runs.
    await recordItemFailures(database.db, "invoicing:close", [{ itemKey: key, code: "usage_value_invalid", message: "usage quantity 1e50 cannot be rated" }], { now: new Date("2026-06-02T01:00:00Z") });
    await detectAnomalies(database.db, { clock: fixedClock("2026-06-02T02:00:00Z"), mode: "manual", kinds: ["job_failure"] });
    await detectAnomalies(database.db, { clock: fixedClock("2026-06-02T02:00:00Z"), mode: "manual", kinds: ["job_failure"] });
    const again = await jobFailureAnomalies();
    expect(again).toHaveLength(2);
    expect(again[1]!.evidence).toMatchObject({ attempts: 2 });
    expect(again[1]!.title).toContain("(2 runs)");
  });

  it("clears by itself once a later run processes the item; a customer filter sees only its customer's", async () => {
    const key = closeItemKey(otherSubscriptionId, new Date("2026-06-01T00:00:00Z"));
    await recordItemFailures(database.db, "invoicing:close", [{ itemKey: key, code: "internal_error", message: "x" }], { now: new Date("2026-06-03T00:00:00Z") });
    await detectAnomalies(database.db, { clock: fixedClock("2026-06-03T01:00:00Z"), mode: "manual", kinds: ["job_failure"], customerIds: [customerId] });
    expect((await jobFailureAnomalies()).some((anomaly) => anomaly.subject === `job:invoicing:close:${key}`)).toBe(false);
    await detectAnomalies(database.db, { clock: fixedClock("2026-06-03T01:00:00Z"), mode: "manual", kinds: ["job_failure"] });
    expect((await jobFailureAnomalies()).find((anomaly) => anomaly.subject === `job:invoicing:close:${key}`)).toMatchObject({ status: "open" });

    const firstKey = closeItemKey(subscriptionId, new Date("2026-06-01T00:00:00Z"));
    await recordItemFailures(database.db, "invoicing:close", [], { processedKeys: [firstKey, key], now: new Date("2026-06-04T00:00:00Z") });
    await detectAnomalies(database.db, { clock: fixedClock("2026-06-04T01:00:00Z"), mode: "manual", kinds: ["job_failure"] });
    const after = await jobFailureAnomalies();
    expect(after.filter((anomaly) => anomaly.subject.startsWith("job:invoicing:close:")).map((anomaly) => anomaly.status)).toEqual(["auto_resolved", "auto_resolved"]);
    expect(after.find((anomaly) => anomaly.subject.startsWith("job:grants:expire:"))).toMatchObject({ status: "open" });
  });
});
