import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "@/server/clock";
import { recordItemFailures } from "@/server/jobs/item-failures";
import { runJob } from "@/server/jobs/run-job";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { getBillingHealth } from "./get-billing-health";
import { sampleHealth } from "./health-sampler";
import { healthThresholds, levelOf } from "./health-thresholds";
import { entitlementChecksTotal } from "./tally-metrics";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
});
afterAll(async () => {
  await database?.drop();
});

describe("billing health", () => {
  it("levels: amber and red past the thresholds, lower-is-worse for accuracy", () => {
    expect(levelOf(59, healthThresholds.meteringLagP99Seconds)).toBe("amber");
    expect(levelOf(60, healthThresholds.meteringLagP99Seconds)).toBe("red");
    expect(levelOf(299, healthThresholds.webhookOldestPendingSeconds)).toBe("amber");
    expect(levelOf(301, healthThresholds.webhookOldestPendingSeconds)).toBe("red");
    expect(levelOf(1, healthThresholds.openDiscrepancies)).toBe("red");
    expect(levelOf(0, healthThresholds.openDiscrepancies)).toBe("ok");
    expect(levelOf(0.999, healthThresholds.invoiceAccuracyFirstAttempt)).toBe("ok");
    expect(levelOf(0.97, healthThresholds.invoiceAccuracyFirstAttempt)).toBe("amber");
    expect(levelOf(0.9, healthThresholds.invoiceAccuracyFirstAttempt)).toBe("red");
  });

  it("is healthy on an empty system, and red with a stuck webhook, an open discrepancy and a failed daily job, each named", async () => {
    const { db } = database;
    const now = new Date();
    const jobNames = ["reconcile", "ledger:verify"];
    const healthy = await getBillingHealth(db, { range: "hour", now, jobNames });
    expect(healthy.level).toBe("ok");
    expect(healthy.itemFailures).toEqual([]);
    expect(healthy.charts.map((chart) => chart.id)).toEqual(["ingestion", "rejects", "lag", "backlog", "checks", "check-latency", "webhooks", "stripe-api", "discrepancies", "accuracy"]);
    expect(healthy.charts.find((chart) => chart.id === "lag")!.points).toHaveLength(60);
    expect((await getBillingHealth(db, { range: "day", now, jobNames })).charts[0]!.points.length).toBeGreaterThanOrEqual(96);

    await db.execute(sql`insert into stripe_webhook_events (id, type, created, payload, status, received_at) values ('evt_health_1', 'invoice.paid', now(), '{}'::jsonb, 'pending', now() - interval '6 minutes')`);
    await db.execute(sql`insert into reconciliation_discrepancies (kind, key, customer_id, unit, currency, expected, actual, difference, amount_micros, description, first_seen_at, last_seen_at, first_run_id, last_run_id)
      values ('invoice_stripe', 'k1', null, 'micros', 'usd', 0, 1000000, 1000000, 1000000, 'planted', now(), now(), gen_random_uuid(), gen_random_uuid())`);
    await expect(runJob({ name: "reconcile", description: "", run: async () => { throw new Error("boom"); } }, { db, clock: fixedClock(now), log: () => {} }, {})).rejects.toThrow("boom");
    entitlementChecksTotal.inc({ result: "refused", reason: "allowance_exhausted" }, 3);
    await sampleHealth(db, { now, jobNames });
    await sampleHealth(db, { now, jobNames });

    const unhealthy = await getBillingHealth(db, { range: "hour", now: new Date(now.getTime() + 1000), jobNames });
    expect(unhealthy.level).toBe("red");
    const byId = Object.fromEntries(unhealthy.charts.map((chart) => [chart.id, chart]));
    expect(byId.webhooks!.level).toBe("red");
    expect(byId.webhooks!.reason).toContain("The oldest pending webhook");
    expect(byId.discrepancies!.level).toBe("red");
    expect(byId.discrepancies!.current).toBe("1 open: invoice_stripe 1");
    expect(unhealthy.openDiscrepancies).toHaveLength(1);
    expect(unhealthy.problems.map((problem) => problem.reason)).toEqual(expect.arrayContaining([expect.stringContaining("The last run of reconcile failed: boom")]));
    expect(unhealthy.jobs.find((job) => job.job === "reconcile")).toMatchObject({ level: "red", failures: 1 });
    // The sampled minute holds this process's checks once (a second sample adds only what is new).
    const [row] = (await db.execute(sql`select counters from health_samples`)) as unknown as { counters: Record<string, number> }[];
    expect(Number(row!.counters["checks.refused"])).toBe(3);
    expect(byId.checks!.points.reduce((sum, point) => sum + Number(point.refused ?? 0), 0)).toBe(3);
  });

  it("lists the items billing jobs could not process and warns until a run processes them", async () => {
    const { db } = database;
    const now = new Date();
    const jobNames: string[] = [];
    const failures = Array.from({ length: 3 }, (_, index) => ({ itemKey: `subscription:00000000-0000-4000-8000-00000000000${index}:threshold`, code: "usage_value_invalid", message: `item ${index}` }));
    await recordItemFailures(db, "invoicing:thresholds", failures, { now });
    const failing = await getBillingHealth(db, { range: "hour", now, jobNames });
    expect(failing.itemFailureCount).toBe(3);
    expect(failing.itemFailures.map((item) => item.itemKey).sort()).toEqual(failures.map((failure) => failure.itemKey).sort());
    expect(failing.problems).toEqual(expect.arrayContaining([expect.objectContaining({ chart: "Billing job failures", level: "amber", reason: expect.stringContaining("Items billing jobs could not process is 3") })]));
    await recordItemFailures(db, "invoicing:thresholds", [], { processedKeys: failures.map((failure) => failure.itemKey), now });
    const fixed = await getBillingHealth(db, { range: "hour", now, jobNames });
    expect(fixed.itemFailureCount).toBe(0);
    expect(fixed.problems.some((problem) => problem.chart === "Billing job failures")).toBe(false);
  });
});
