import type { AnomalyKind } from "@/db/schema";
import { anomalyKinds } from "@/db/schema";
import { DomainError } from "@/server/errors";
import type { JobArgs, JobDefinition } from "@/server/jobs/types";
import { detectAnomalies, type DetectionMode } from "./detect-anomalies";
import { evaluatePlanted } from "./planted/evaluate-planted";
import { evaluateUsageDetector } from "./planted/evaluate-usage";
import { readAnomalySettings } from "./settings";

/** The targets on planted data: what the usage detectors must find, and how often they may be wrong. */
export const plantedTargets = { recall: 0.95, precision: 0.9 } as const;

function modeOf(args: JobArgs): DetectionMode {
  const mode = args.mode ?? "manual";
  if (mode !== "hourly" && mode !== "daily" && mode !== "manual") throw new DomainError("invalid", "job_argument_invalid", "--mode is hourly, daily or manual.");
  return mode;
}

function kindsOf(args: JobArgs): AnomalyKind[] | undefined {
  if (typeof args.kind !== "string") return undefined;
  const kinds = args.kind.split(",").map((kind) => kind.trim());
  const unknown = kinds.filter((kind) => !(anomalyKinds as readonly string[]).includes(kind));
  if (unknown.length > 0) throw new DomainError("invalid", "job_argument_invalid", `Unknown anomaly kind ${unknown.join(", ")}; one of ${anomalyKinds.join(", ")}.`);
  return kinds as AnomalyKind[];
}

export const anomalyJobs: JobDefinition[] = [
  {
    name: "anomalies:detect",
    description: "Detect billing anomalies now (--mode hourly|daily|manual, --kind usage_spike,... to limit); idempotent",
    run: async ({ db, clock, log }, args) => {
      const result = await detectAnomalies(db, { clock, mode: modeOf(args), kinds: kindsOf(args), log });
      return {
        runId: result.runId,
        mode: result.mode,
        asOf: result.asOf.toISOString(),
        seriesExamined: result.seriesExamined,
        refreshedUsageDays: result.refreshedUsageDays,
        findings: result.candidates,
        opened: result.persisted.opened.map((anomaly) => ({ id: anomaly.id, kind: anomaly.kind, title: anomaly.title })),
        reopened: result.persisted.reopened.length,
        updated: result.persisted.updated,
        autoResolved: result.persisted.autoResolved.length,
        timingsMs: result.timingsMs,
      };
    },
  },
  {
    name: "anomalies:evaluate-planted",
    description: "Score the usage detectors on planted data sets with the current thresholds (--seeds 101,202,303): precision and recall per kind; fails below recall 95% or precision 90%",
    run: async ({ db, clock, log }, args) => {
      const seeds = (typeof args.seeds === "string" ? args.seeds : "101,202,303").split(",").map((seed) => Number(seed.trim()));
      if (seeds.some((seed) => !Number.isSafeInteger(seed))) throw new DomainError("invalid", "job_argument_invalid", "--seeds is a comma-separated list of integers, e.g. 101,202,303.");
      const settings = await readAnomalySettings(db);
      const runs = seeds.map((seed) => {
        const result = evaluateUsageDetector({ seed, asOf: clock.now() }, settings);
        log(`seed ${seed}: recall ${(result.recall * 100).toFixed(1)}%, precision ${(result.precision * 100).toFixed(1)}% (${result.truePositives} found, ${result.falseNegatives} missed, ${result.falsePositives} false alarms)`);
        return { seed, recall: result.recall, precision: result.precision, truePositives: result.truePositives, falseNegatives: result.falseNegatives, falsePositives: result.falsePositives, byKind: result.byKind, misses: result.misses.slice(0, 10) };
      });
      const worst = { recall: Math.min(...runs.map((run) => run.recall)), precision: Math.min(...runs.map((run) => run.precision)) };
      if (worst.recall < plantedTargets.recall || worst.precision < plantedTargets.precision) {
        throw new DomainError(
          "conflict",
          "planted_targets_missed",
          `On planted data the usage detectors reached recall ${(worst.recall * 100).toFixed(1)}% and precision ${(worst.precision * 100).toFixed(1)}% (targets ${plantedTargets.recall * 100}% and ${plantedTargets.precision * 100}%); review the thresholds in Anomalies → Detection thresholds.`,
        );
      }
      return { seeds, worst, runs };
    },
  },
  {
    name: "anomalies:evaluate-planted-db",
    description: "Plant known usage anomalies among normal customers into a scratch database (--seed n, --as-of ISO, --into-non-empty), detect, print precision/recall per detector; fails if any planted anomaly is missed",
    run: async ({ db, log }, args) => {
      const seed = args.seed === undefined ? 42 : Number(args.seed);
      if (!Number.isSafeInteger(seed)) throw new DomainError("invalid", "job_argument_invalid", "--seed is an integer.");
      const asOf = new Date(typeof args["as-of"] === "string" ? args["as-of"] : "2026-06-17T15:20:00Z");
      if (Number.isNaN(asOf.getTime())) throw new DomainError("invalid", "job_argument_invalid", "--as-of is an ISO date-time.");
      const evaluation = await evaluatePlanted(db, { seed, asOf, intoNonEmpty: args["into-non-empty"] === true });
      for (const [kind, score] of Object.entries(evaluation.byDetector))
        log(`${kind.padEnd(14)} planted ${score.planted}, found ${score.found}, missed ${score.missed}, false positives ${score.falsePositives}; precision ${score.precision.toFixed(3)}, recall ${score.recall.toFixed(3)}`);
      return evaluation;
    },
  },
];
