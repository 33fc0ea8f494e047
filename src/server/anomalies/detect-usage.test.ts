import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { anomalies, anomalyActivity } from "@/db/schema";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { detectAnomalies } from "./detect-anomalies";
import { insertPlantedUsage } from "./planted/insert-planted-usage";
import { generatePlantedUsage, type PlantedUsageSeries } from "./planted/usage-scenarios";
import { hourMs } from "./robust";

const asOf = new Date("2026-06-17T15:20:00Z");
let database: TestDatabase;
let planted: PlantedUsageSeries[];
let customerIds: Map<string, string>;
const redirected = new Map<string, string>();

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  await seedCatalog(database.db, { clock: fixedClock("2026-01-01T00:00:00Z") });
  planted = generatePlantedUsage({
    seed: 42,
    asOf,
    perKind: { steady: 6, weekly: 6, growth: 5, noisy_low_volume: 8, sporadic: 4, new_customer: 4, decline: 3, spike: 6, short_spike: 3, drop_to_zero: 5, partial_drop: 3, stop_today: 4 },
  });
  // One stopped customer whose events now arrive under a wrong subject (their id in upper case).
  const wrong = planted.find((series) => series.kind === "drop_to_zero")!;
  redirected.set(wrong.key, `PLANTED-${wrong.key}`.toUpperCase());
  customerIds = await insertPlantedUsage(database.db, planted, { prefix: "planted-", planKey: "enterprise", anchor: new Date("2026-01-01T00:00:00Z"), redirectedSubjects: redirected });
  // Another stopped customer's events are being rejected (their clock runs hours ahead).
  const rejectedSeries = planted.filter((series) => series.kind === "drop_to_zero")[1]!;
  await executeRows(
    database.db,
    sql`insert into metering_subject_rejections (hour, subject, code, count, last_message)
        values (${new Date(Math.floor(asOf.getTime() / hourMs) * hourMs - 2 * hourMs).toISOString()}::timestamptz, ${`planted-${rejectedSeries.key}`}, 'in_future', 812, 'time is more than 5 minutes in the future')`,
  );
}, 120_000);
afterAll(async () => {
  await database?.drop();
});

async function openUsageAnomalies() {
  return database.db.select().from(anomalies).where(and(sql`${anomalies.kind} in ('usage_spike', 'usage_drop')`, eq(anomalies.status, "open")));
}

describe("anomalies:detect over planted usage", () => {
  it("finds the planted spikes and drops, names the cause, and nothing on the customers that must not fire", async () => {
    const result = await detectAnomalies(database.db, { clock: fixedClock(asOf), mode: "daily" });
    expect(result.seriesExamined).toBeGreaterThan(40);
    const open = await openUsageAnomalies();
    const found = new Map(open.map((anomaly) => [`${anomaly.customerId}|${anomaly.kind}`, anomaly]));
    let truePositives = 0;
    let falseNegatives = 0;
    for (const series of planted) {
      if (series.expect === null) continue;
      if (found.has(`${customerIds.get(series.key)}|${series.expect}`)) truePositives++;
      else falseNegatives++;
    }
    const expectedKeys = new Set(planted.filter((series) => series.expect !== null).map((series) => `${customerIds.get(series.key)}|${series.expect}`));
    const falsePositives = open.filter((anomaly) => !expectedKeys.has(`${anomaly.customerId}|${anomaly.kind}`)).length;
    const recall = truePositives / (truePositives + falseNegatives);
    const precision = truePositives / (truePositives + falsePositives);
    expect(recall).toBeGreaterThanOrEqual(0.9);
    expect(precision).toBeGreaterThanOrEqual(0.9);

    const wrongSubject = open.find((anomaly) => anomaly.customerId === customerIds.get([...redirected.keys()][0]!) && anomaly.kind === "usage_drop");
    expect(wrongSubject?.title).toContain(`unknown subject "${[...redirected.values()][0]}"`);
    expect(wrongSubject?.severity === "high" || wrongSubject?.severity === "critical").toBe(true);
    const rejectedKey = planted.filter((series) => series.kind === "drop_to_zero")[1]!.key;
    const rejected = open.find((anomaly) => anomaly.customerId === customerIds.get(rejectedKey) && anomaly.kind === "usage_drop");
    expect(rejected?.title).toContain("812 of its events were rejected (in_future)");

    const spike = open.find((anomaly) => anomaly.kind === "usage_spike" && anomaly.subject === "meter:llm_tokens");
    if (spike) {
      expect(spike.impactMicros).not.toBeNull();
      expect((spike.evidence as { dimensions: unknown[] }).dimensions.length).toBeGreaterThan(0);
    }
  });

  it("opens nothing new and changes nothing when run again over the same data", async () => {
    const before = await database.db.select().from(anomalies).orderBy(anomalies.id);
    const activityBefore = await database.db.select({ count: sql<number>`count(*)::int` }).from(anomalyActivity);
    const again = await detectAnomalies(database.db, { clock: fixedClock(asOf), mode: "daily" });
    expect(again.persisted.opened).toEqual([]);
    expect(again.persisted.autoResolved).toEqual([]);
    expect(again.persisted.updated).toBe(0);
    const after = await database.db.select().from(anomalies).orderBy(anomalies.id);
    expect(after.map(({ lastDetectedAt: _last, ...rest }) => rest)).toEqual(before.map(({ lastDetectedAt: _last, ...rest }) => rest));
    const activityAfter = await database.db.select({ count: sql<number>`count(*)::int` }).from(anomalyActivity);
    expect(activityAfter[0]!.count).toBe(activityBefore[0]!.count);
  });

  it("extends an ongoing stop an hour later instead of opening another, and auto-resolves it when usage comes back", async () => {
    const stopped = planted.find((series) => series.kind === "stop_today")!;
    const customerId = customerIds.get(stopped.key)!;
    const [open] = await database.db.select().from(anomalies).where(and(eq(anomalies.customerId, customerId), eq(anomalies.kind, "usage_drop")));
    expect(open?.status).toBe("open");
    const later = new Date(asOf.getTime() + hourMs);
    const hourly = await detectAnomalies(database.db, { clock: fixedClock(later), mode: "hourly", customerIds: [customerId] });
    expect(hourly.persisted.opened).toEqual([]);
    const [extended] = await database.db.select().from(anomalies).where(eq(anomalies.id, open!.id));
    expect(extended!.windowEnd.getTime()).toBeGreaterThan(open!.windowEnd.getTime());
    expect(extended!.windowStart).toEqual(open!.windowStart);

    // Usage resumes in the last hour.
    await executeRows(
      database.db,
      sql`insert into usage_rollups (meter_id, subject, window_start, dimensions, events, sum_value, max_value)
          select m.id, ${`planted-${stopped.key}`}, ${new Date(Math.floor(later.getTime() / hourMs) * hourMs - hourMs).toISOString()}::timestamptz,
                 case when m.key = 'llm_tokens' then '{"model":"sonnet"}'::jsonb else '{}'::jsonb end, 500, 500000, 5000
          from catalog_meters m where m.key = ${stopped.meterKey}`,
    );
    const resumed = await detectAnomalies(database.db, { clock: fixedClock(later), mode: "hourly", customerIds: [customerId] });
    expect(resumed.persisted.autoResolved.map((anomaly) => anomaly.id)).toContain(open!.id);
    const [closed] = await database.db.select().from(anomalies).where(eq(anomalies.id, open!.id));
    expect(closed).toMatchObject({ status: "auto_resolved" });
    expect(closed!.closedAt).not.toBeNull();
    const activity = await database.db.select().from(anomalyActivity).where(eq(anomalyActivity.anomalyId, open!.id));
    expect(activity.map((entry) => entry.action)).toEqual(["opened", "auto_resolved"]);
  });

  it("never opens two anomalies for one condition when two runs race", async () => {
    await database.db.execute(sql`delete from anomaly_activity`);
    await database.db.execute(sql`delete from anomalies`);
    const [first, second] = await Promise.all([
      detectAnomalies(database.db, { clock: fixedClock(asOf), mode: "manual", kinds: ["usage_drop"] }),
      detectAnomalies(database.db, { clock: fixedClock(asOf), mode: "manual", kinds: ["usage_drop"] }),
    ]);
    const rows = await database.db.select().from(anomalies);
    expect(first.persisted.opened.length + second.persisted.opened.length).toBe(rows.length);
    expect(new Set(rows.map((row) => `${row.customerId}|${row.subject}`)).size).toBe(rows.length);
  });
});
