import { and, inArray, notInArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { anomalies, type AnomalyKind } from "@/db/schema";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { fixedClock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { detectAnomalies } from "../detect-anomalies";
import { refreshUsageDays } from "../read-usage-series";
import { addDays, dayString } from "../robust";
import { insertPlantedUsage } from "./insert-planted-usage";
import { generatePlantedUsage, type PlantedUsageKind } from "./usage-scenarios";

export type PlantedDetectorScore = { planted: number; found: number; missed: number; falsePositives: number; precision: number; recall: number };

export type PlantedEvaluation = {
  ok: boolean;
  seed: number;
  asOf: string;
  customers: number;
  byDetector: Record<string, PlantedDetectorScore>;
  missed: { key: string; kind: PlantedUsageKind; expected: string }[];
  falsePositives: { key: string; kind: PlantedUsageKind; found: string; title: string }[];
};

export type EvaluatePlantedOptions = {
  seed: number;
  asOf: Date;
  perKind?: Partial<Record<PlantedUsageKind, number>>;
  /** Detectors run (default: the usage detectors, which the planted set covers). */
  kinds?: readonly AnomalyKind[];
  /** Plant into a database that already has other customers (they are left alone; detection is limited to the planted ones). */
  intoNonEmpty?: boolean;
};

const plantedPrefix = "planted-";
const plantedHistoryDays = 63;
const usageKinds: AnomalyKind[] = ["usage_spike", "usage_drop"];

/**
 * Plants the usage scenarios (customers, subscriptions, hourly rollups) into the database, runs
 * detection over the planted customers as of `asOf`, and scores each detector: a planted anomaly is
 * found when an open anomaly of its kind names its customer; any other open anomaly on a planted
 * customer is a false positive. `ok` is false when any planted anomaly is missed.
 */
export async function evaluatePlanted(db: Db, options: EvaluatePlantedOptions): Promise<PlantedEvaluation> {
  await preparePlanting(db, options.intoNonEmpty ?? false, options.asOf);
  const prefix = `${plantedPrefix}${options.seed}-`;
  const planted = generatePlantedUsage({ seed: options.seed, asOf: options.asOf, perKind: options.perKind, historyDays: plantedHistoryDays });
  const customerIds = await insertPlantedUsage(db, planted, { prefix, planKey: "enterprise", anchor: new Date(options.asOf.getTime() - 200 * 86_400_000) });
  const kinds = options.kinds ?? usageKinds;
  // Planted history is a backfill: a warm detection run refreshes only its look-back days, so the daily usage of the whole planted history is refreshed here.
  await refreshUsageDays(db, { fromDay: addDays(dayString(options.asOf), -(plantedHistoryDays + 1)), toDay: dayString(options.asOf), now: options.asOf });
  await detectAnomalies(db, { clock: fixedClock(options.asOf), mode: "manual", kinds, customerIds: [...customerIds.values()] });
  const open = await db
    .select({ customerId: anomalies.customerId, kind: anomalies.kind, title: anomalies.title })
    .from(anomalies)
    .where(and(inArray(anomalies.customerId, [...customerIds.values()]), notInArray(anomalies.status, ["auto_resolved", "dismissed", "resolved"])));
  const foundByCustomer = new Map<string, { kind: string; title: string }[]>();
  for (const anomaly of open) foundByCustomer.set(anomaly.customerId!, [...(foundByCustomer.get(anomaly.customerId!) ?? []), anomaly]);

  const byDetector: Record<string, PlantedDetectorScore> = {};
  const score = (kind: string) => (byDetector[kind] ??= { planted: 0, found: 0, missed: 0, falsePositives: 0, precision: 1, recall: 1 });
  for (const kind of usageKinds) score(kind);
  const missed: PlantedEvaluation["missed"] = [];
  const falsePositives: PlantedEvaluation["falsePositives"] = [];
  for (const series of planted) {
    const found = foundByCustomer.get(customerIds.get(series.key)!) ?? [];
    if (series.expect !== null) {
      const bucket = score(series.expect);
      bucket.planted++;
      if (found.some((anomaly) => anomaly.kind === series.expect)) bucket.found++;
      else {
        bucket.missed++;
        missed.push({ key: `${prefix}${series.key}`, kind: series.kind, expected: series.expect });
      }
    }
    for (const anomaly of found.filter((each) => each.kind !== series.expect)) {
      score(anomaly.kind).falsePositives++;
      falsePositives.push({ key: `${prefix}${series.key}`, kind: series.kind, found: anomaly.kind, title: anomaly.title });
    }
  }
  for (const bucket of Object.values(byDetector)) {
    bucket.recall = bucket.planted === 0 ? 1 : bucket.found / bucket.planted;
    bucket.precision = bucket.found + bucket.falsePositives === 0 ? 1 : bucket.found / (bucket.found + bucket.falsePositives);
  }
  return { ok: missed.length === 0, seed: options.seed, asOf: options.asOf.toISOString(), customers: planted.length, byDetector, missed, falsePositives };
}

async function preparePlanting(db: Db, intoNonEmpty: boolean, asOf: Date): Promise<void> {
  if (!intoNonEmpty) {
    const [others] = await executeRows<{ count: number }>(db, sql`select count(*)::int as count from customers where external_id is null or external_id not like ${`${plantedPrefix}%`}`);
    if (others && others.count > 0)
      throw new DomainError("invalid", "planted_database_not_scratch", `The database has ${others.count} customers that were not planted; run against a scratch database, or pass --into-non-empty to plant beside them.`);
  }
  const [catalog] = await executeRows<{ plans: number }>(db, sql`select count(*)::int as plans from catalog_plans where key = 'enterprise'`);
  if (!catalog || catalog.plans === 0) await seedCatalog(db, { clock: fixedClock(new Date(asOf.getTime() - 400 * 86_400_000)) });
}
