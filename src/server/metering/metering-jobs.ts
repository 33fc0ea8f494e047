import { DomainError } from "@/server/errors";
import type { JobArgs, JobDefinition } from "@/server/jobs/types";
import { ensureUsageEventPartitions } from "./ensure-usage-event-partitions";
import { pruneEventKeys } from "./prune-event-keys";
import { rollUpPending } from "./roll-up-pending";
import { verifyRollups } from "./verify-rollups";

const catchUpRoundsMax = 10_000;

export const meteringJobs: JobDefinition[] = [
  {
    name: "metering:rollup",
    description: "Roll up every pending usage event now (the in-server worker normally keeps up)",
    run: async ({ db, log }) => {
      let events = 0;
      for (let round = 0; round < catchUpRoundsMax; round++) {
        const result = await rollUpPending(db, { limit: 20_000 });
        events += result.events;
        if (!result.claimed) log("another process holds the rollup cursor; waiting");
        if (result.claimed && result.events === 0) return { ok: true, events, rounds: round + 1 };
        if (!result.claimed) await new Promise((resolve) => setTimeout(resolve, 500));
        if (round % 50 === 49) log(`${events} events rolled up so far`);
      }
      return { ok: false, events, message: `still behind after ${catchUpRoundsMax} rounds` };
    },
  },
  {
    name: "metering:verify",
    description:
      "Recompute rollups from raw events (--from, --to; default the last 48 hours) and report differences; --repair rewrites the differing windows",
    run: async ({ db, clock, log }, args) => {
      const to = dateArg(args, "to") ?? clock.now();
      const from = dateArg(args, "from") ?? new Date(to.getTime() - 48 * 3_600_000);
      const repair = args.repair === true;
      const result = await verifyRollups(db, { from, to, repair });
      if (result.repairedWindows !== undefined) log(`${result.repairedWindows} rollup windows rewritten from the raw events`);
      return { ok: repair || (result.differences === 0 && result.uniqueValueDifferences === 0), ...result };
    },
  },
  {
    name: "metering:partitions",
    description: "Create the monthly usage_events partitions ahead (--months-ahead, default 3)",
    run: async ({ db, clock }, args) => {
      const monthsAhead = args["months-ahead"] === undefined ? 3 : Number(args["months-ahead"]);
      if (!Number.isInteger(monthsAhead) || monthsAhead < 1 || monthsAhead > 24) {
        throw new DomainError("invalid", "invalid_months_ahead", "--months-ahead must be a whole number from 1 to 24.");
      }
      return { ok: true, ...(await ensureUsageEventPartitions(db, { clock, monthsAhead })) };
    },
  },
  {
    name: "metering:prune-keys",
    description: "Delete the dedup keys of events past the lateness window and a day (a retry of those is refused too_late); daily",
    run: async ({ db, clock, log }) => {
      const result = await pruneEventKeys(db, { clock });
      log(`${result.deleted} keys older than ${result.cutoff.toISOString()} deleted`);
      return { ok: true, ...result, cutoff: result.cutoff.toISOString() };
    },
  },
];

function dateArg(args: JobArgs, name: string): Date | undefined {
  const value = args[name];
  if (value === undefined) return undefined;
  const date = new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new DomainError("invalid", "invalid_date", `--${name} must be a date such as 2026-01-31T00:00:00Z.`);
  return date;
}
