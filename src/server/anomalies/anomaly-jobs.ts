import type { AnomalyKind } from "@/db/schema";
import { anomalyKinds } from "@/db/schema";
import { DomainError } from "@/server/errors";
import type { JobArgs, JobDefinition } from "@/server/jobs/types";
import { detectAnomalies, type DetectionMode } from "./detect-anomalies";

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
];
