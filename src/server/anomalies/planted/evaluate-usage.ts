import { detectUsageAnomalies } from "../detectors/usage";
import type { AnomalySettings } from "../settings";
import { generatePlantedUsage, toUsageSeries, type PlantedUsageKind, type PlantedUsageOptions } from "./usage-scenarios";

export type Confusion = { truePositives: number; falsePositives: number; falseNegatives: number; trueNegatives: number };
export type UsageEvaluation = Confusion & {
  precision: number;
  recall: number;
  byKind: Record<string, Confusion>;
  misses: { key: string; kind: PlantedUsageKind; expected: string | null; found: string[]; parameters: Record<string, number | string> }[];
};

/**
 * Runs the pure usage detector over a planted set and scores it per series: a series with a planted
 * anomaly is found when the detector reports that kind for it (a true positive); any finding on a
 * series without one, or of the wrong kind, is a false positive.
 */
export function evaluateUsageDetector(options: PlantedUsageOptions, settings: AnomalySettings): UsageEvaluation {
  const planted = generatePlantedUsage(options);
  const result = detectUsageAnomalies({ series: planted.map(toUsageSeries), asOf: options.asOf, settings });
  const found = new Map<string, Set<string>>();
  for (const finding of result.findings) {
    const kinds = found.get(finding.seriesKey) ?? new Set<string>();
    kinds.add(finding.kind);
    found.set(finding.seriesKey, kinds);
  }
  const total: Confusion = { truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 0 };
  const byKind: Record<string, Confusion> = {};
  const misses: UsageEvaluation["misses"] = [];
  for (const series of planted) {
    const kinds = found.get(series.key) ?? new Set<string>();
    const bucket = (byKind[series.kind] ??= { truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 0 });
    const hit = series.expect !== null && kinds.has(series.expect);
    const wrong = [...kinds].filter((kind) => kind !== series.expect).length;
    if (series.expect !== null) {
      if (hit) {
        total.truePositives++;
        bucket.truePositives++;
      } else {
        total.falseNegatives++;
        bucket.falseNegatives++;
      }
    } else if (kinds.size === 0) {
      total.trueNegatives++;
      bucket.trueNegatives++;
    }
    total.falsePositives += wrong;
    bucket.falsePositives += wrong;
    if (!hit && (series.expect !== null || wrong > 0)) misses.push({ key: series.key, kind: series.kind, expected: series.expect, found: [...kinds], parameters: series.parameters });
  }
  return {
    ...total,
    precision: total.truePositives + total.falsePositives === 0 ? 1 : total.truePositives / (total.truePositives + total.falsePositives),
    recall: total.truePositives + total.falseNegatives === 0 ? 1 : total.truePositives / (total.truePositives + total.falseNegatives),
    byKind,
    misses,
  };
}
