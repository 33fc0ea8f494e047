import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { Anomaly } from "@/db/schema";
import { addDays, dayString } from "./robust";

export type AnomalyChartPoint = {
  day: string;
  /** The meter's daily quantity (from anomaly_usage_days), as a number for plotting only. */
  observed: number;
  /** What the baseline expected that day, when known (the detector's own figure inside the window). */
  expected: number | null;
  /** The usual range that weekday: the baseline's 10th–90th percentile scaled by the weekday factor. */
  bandLow: number | null;
  bandHigh: number | null;
  inWindow: boolean;
};

type UsageEvidence = {
  meter?: { key?: string };
  externalId?: string;
  days?: { day: string; expected: number }[];
  baseline?: { level?: number; weekdayFactors?: number[]; p10?: number; p90?: number };
};

const daysBefore = 28;
const daysAfter = 3;

/**
 * Observed daily usage around a usage anomaly's window against the expected band, for its chart:
 * one index range of anomaly_usage_days (meter, subject, day), at most ~6 weeks of rows.
 * Null for kinds that are not about usage.
 */
export async function getAnomalyChart(db: Db, anomaly: Pick<Anomaly, "kind" | "subject" | "windowStart" | "windowEnd" | "evidence">, customerExternalId: string | null): Promise<AnomalyChartPoint[] | null> {
  if (anomaly.kind !== "usage_spike" && anomaly.kind !== "usage_drop") return null;
  const evidence = anomaly.evidence as UsageEvidence;
  const meterKey = evidence.meter?.key ?? anomaly.subject.replace(/^meter:/, "");
  const subject = evidence.externalId ?? customerExternalId;
  if (!subject) return null;
  const firstDay = addDays(dayString(anomaly.windowStart), -daysBefore);
  const lastDay = addDays(dayString(anomaly.windowEnd), daysAfter);
  const rows = await executeRows<{ day: string; quantity: string }>(
    db,
    sql`select d.day::text as day, d.quantity::text as quantity
        from anomaly_usage_days d join catalog_meters m on m.id = d.meter_id
        where m.key = ${meterKey} and d.subject = ${subject} and d.day between ${firstDay}::date and ${lastDay}::date
        order by d.day limit 100`,
  );
  const observedByDay = new Map(rows.map((row) => [row.day, Number(row.quantity)]));
  const expectedByDay = new Map((evidence.days ?? []).map((day) => [day.day, day.expected]));
  const baseline = evidence.baseline;
  const windowFirst = dayString(anomaly.windowStart);
  const windowLast = dayString(new Date(anomaly.windowEnd.getTime() - 1));
  const points: AnomalyChartPoint[] = [];
  for (let day = firstDay; day <= lastDay; day = addDays(day, 1)) {
    const factor = baseline?.weekdayFactors?.[new Date(`${day}T00:00:00Z`).getUTCDay()] ?? 1;
    const level = baseline?.level;
    points.push({
      day,
      observed: observedByDay.get(day) ?? 0,
      expected: expectedByDay.get(day) ?? (level === undefined ? null : round(level * factor)),
      bandLow: baseline?.p10 === undefined ? null : round(Math.max(0, baseline.p10 * factor)),
      bandHigh: baseline?.p90 === undefined ? null : round(baseline.p90 * factor),
      inWindow: day >= windowFirst && day <= windowLast,
    });
    if (points.length > 100) break;
  }
  return points;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
