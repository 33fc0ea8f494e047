import { systemActor } from "@/server/audit/actor";
import { DomainError } from "@/server/errors";
import { recordItemFailures } from "@/server/jobs/item-failures";
import type { JobArgs, JobDefinition } from "@/server/jobs/types";
import { billThresholds } from "./bill-thresholds";
import { closeDuePeriods, closeItemKey } from "./close-due-periods";
import { planSimulationJob } from "./plan-simulation-jobs";

const bigintSafe = (value: unknown): Record<string, unknown> =>
  JSON.parse(JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner))) as Record<string, unknown>;

function dateArg(args: JobArgs, name: string, fallback: Date): Date {
  const value = args[name];
  if (value === undefined || value === true) return fallback;
  const date = new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new DomainError("invalid", "invalid_argument", `--${name} must be an ISO date, e.g. 2026-02-01T00:00:00Z.`);
  return date;
}

function batchSizeArg(args: JobArgs): number | undefined {
  const value = args["batch-size"];
  if (value === undefined || value === true) return undefined;
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > 500) throw new DomainError("invalid", "invalid_argument", "--batch-size must be a whole number from 1 to 500.");
  return size;
}

export const invoicingJobs: JobDefinition[] = [
  {
    name: "invoicing:close",
    description: "Close every billing period that ended by --until (default now): invoices, ledger, credits",
    run: async ({ db, clock, log }, args) => {
      const until = dateArg(args, "until", clock.now());
      const result = await closeDuePeriods(db, { until, batchSize: batchSizeArg(args) }, { clock, actor: systemActor("invoicing:close"), log });
      await recordItemFailures(
        db,
        "invoicing:close",
        result.failed.map((failure) => ({ itemKey: closeItemKey(failure.subscriptionId, failure.periodStart), code: failure.code, message: failure.message })),
        { processedKeys: result.processedKeys, now: clock.now() },
      );
      for (const failure of result.failed) log(`subscription ${failure.subscriptionId} (${failure.periodStart.toISOString()}): ${failure.code}: ${failure.message}`);
      const { processedKeys: _processed, ...summary } = result;
      return bigintSafe({ ok: result.failed.length === 0, until, ...summary });
    },
  },
  {
    name: "invoicing:thresholds",
    description: "Invoice at once the subscriptions whose unbilled usage passed their threshold",
    run: async ({ db, clock, log }, args) => {
      const { processedKeys, ...result } = await billThresholds(db, { batchSize: batchSizeArg(args) }, { clock, actor: systemActor("invoicing:thresholds"), log });
      await recordItemFailures(db, "invoicing:thresholds", result.failed, { processedKeys, now: clock.now() });
      for (const failure of result.failed) log(`${failure.itemKey}: ${failure.code}: ${failure.message}`);
      return bigintSafe({ ok: result.failed.length === 0, ...result });
    },
  },
  planSimulationJob,
];
