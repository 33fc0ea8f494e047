import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { rollUpPending } from "@/server/metering/roll-up-pending";

/*
 * A month of production-shaped usage, loaded in set-based statements (generate_series inside
 * PostgreSQL, never HTTP): what the benchmarks need so that an entitlement check, a rollup claim
 * or a period close runs against a realistically full current-month partition, as production
 * does on day 30 and not as on day 1.
 *
 * Events (of the demo catalog, bench/… customers `bench-<n>`) are spread over the 30 days before
 * `now`, so they fill the current month's partition and the previous one, in the mix the demo
 * catalog meters: LLM completions (tokens by model), agent requests, code reviews (repository).
 * Customers' volumes are skewed (a few heavy, most light) like real usage. Then the rollup worker's
 * own claim rolls everything up, so the rollups and the cursor are exactly what production would
 * hold. Dedup keys are not written (no client will retry these events).
 */

export type MonthOfUsageOptions = {
  /** Customers `bench-0` … `bench-(customers-1)` (created by the caller). */
  customers: number;
  events: number;
  now: Date;
  /** Statement size: events per insert (default 500,000). */
  chunk?: number;
  log?: (message: string) => void;
};

export async function loadMonthOfUsage(db: Db, options: MonthOfUsageOptions): Promise<{ events: number; rolledUp: number; seconds: number }> {
  const startedMs = performance.now();
  const log = options.log ?? (() => {});
  const chunk = options.chunk ?? 500_000;
  await executeRows(db, sql`select tally_ensure_usage_event_partitions(${options.now.toISOString()}::timestamptz - interval '2 months', 4)`);
  for (let offset = 0; offset < options.events; offset += chunk) {
    const count = Math.min(chunk, options.events - offset);
    // Skewed customers: the square of a uniform number picks low indexes more often (bench-0 is the heaviest).
    await executeRows(
      db,
      sql`with generated as materialized (
            select g, (array['agent.llm.completion', 'agent.llm.completion', 'agent.request', 'code_review.completed'])[1 + (g % 4)] as type,
                   'bench-' || floor(power(random(), 2) * ${options.customers}::int)::int as subject,
                   ${options.now.toISOString()}::timestamptz - (random() * interval '30 days') as occurred_at
            from generate_series(${offset + 1}::int, ${offset + count}::int) g
          )
          insert into usage_events (source, event_id, type, subject, customer_id, occurred_at, data)
          select 'bench/month', 'm' || e.g, e.type, e.subject, c.id, e.occurred_at,
                 case e.type
                   when 'agent.llm.completion' then jsonb_build_object('tokens', 1 + floor(random() * 4000)::int,
                     'model', (array['claude-opus', 'claude-sonnet', 'claude-haiku'])[1 + floor(random() * 3)::int])
                   when 'code_review.completed' then jsonb_build_object('repo', 'repo-' || floor(random() * 20)::int)
                   else '{}'::jsonb
                 end
          from generated e left join customers c on c.external_id = e.subject
          order by e.occurred_at`,
    );
    log(`loaded ${offset + count} of ${options.events} events (${Math.round(performance.now() - startedMs) / 1000} s)`);
  }
  await executeRows(db, sql`analyze usage_events`);
  let rolledUp = 0;
  for (;;) {
    const result = await rollUpPending(db, { limit: 50_000 });
    rolledUp += result.events;
    if (result.claimed && result.events === 0) break;
    if (rolledUp % 1_000_000 < 50_000) log(`rolled up ${rolledUp} events (${Math.round(performance.now() - startedMs) / 1000} s)`);
  }
  await executeRows(db, sql`analyze usage_rollups`);
  return { events: options.events, rolledUp, seconds: (performance.now() - startedMs) / 1000 };
}
