import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { bumpRollupHistory } from "@/server/metering/rollup-history";
import { textArray } from "@/server/ledger/sql-arrays";
import { hourMs } from "../robust";
import type { PlantedUsageSeries } from "./usage-scenarios";

export type InsertPlantedUsageOptions = {
  /** External ids are `<prefix><series key>`. */
  prefix: string;
  /** Plan key the customers subscribe to (its latest published version), anchored at `anchor`. */
  planKey: string;
  anchor: Date;
  /** Series whose events went to another subject from their anomaly's start (the "wrong subject" case): key → that subject. */
  redirectedSubjects?: ReadonlyMap<string, string>;
};

/**
 * Writes a planted data set the way production holds it: one customer with a live subscription per
 * series, and the series' hourly usage as metering rollups (what the detectors read; raw events are
 * not needed). Tokens go to `llm_tokens` split over two models, requests to `agent_requests`.
 * Returns customer id per series key.
 */
export async function insertPlantedUsage(db: Db, planted: readonly PlantedUsageSeries[], options: InsertPlantedUsageOptions): Promise<Map<string, string>> {
  const externalIds = planted.map((series) => `${options.prefix}${series.key}`);
  await executeRows(
    db,
    sql`insert into customers (external_id, name, email, kind)
        select e, 'Planted ' || e, e || '@planted.test', 'team' from unnest(${textArray(externalIds)}) as t(e)
        on conflict (external_id) do nothing`,
  );
  await executeRows(
    db,
    sql`insert into subscriptions (customer_id, plan_version_id, status, seats, billing_anchor)
        select c.id, v.id, 'active', 1, ${options.anchor.toISOString()}::timestamptz
        from customers c
        join lateral (select pv.id from catalog_plan_versions pv join catalog_plans p on p.id = pv.plan_id
                      where p.key = ${options.planKey} and pv.status = 'published' order by pv.version desc limit 1) v on true
        where c.external_id = any(${textArray(externalIds)})
          and not exists (select 1 from subscriptions s where s.customer_id = c.id and s.status <> 'canceled')`,
  );
  const ids = await executeRows<{ id: string; external_id: string }>(db, sql`select id::text, external_id from customers where external_id = any(${textArray(externalIds)})`);
  const idByExternal = new Map(ids.map((row) => [row.external_id, row.id]));
  const meters: string[] = [];
  const subjects: string[] = [];
  const windows: string[] = [];
  const dimensions: string[] = [];
  const events: string[] = [];
  const sums: (string | null)[] = [];
  const flush = async () => {
    if (meters.length === 0) return;
    // Past hours' rollups written directly: the history generation moves in the same transaction,
    // so a cached aggregate of past rollups (the entitlements' usage prefix) never outlives them.
    await db.transaction(async (transaction) => {
      const tx = transaction as unknown as Db;
      await bumpRollupHistory(tx);
      await executeRows(
        tx,
        sql`insert into usage_rollups (meter_id, subject, window_start, dimensions, events, sum_value, max_value)
            select m.id, s, w::timestamptz, d::jsonb, e::bigint, v::numeric, v::numeric
            from unnest(${textArray(meters)}, ${textArray(subjects)}, ${textArray(windows)}, ${textArray(dimensions)}, ${textArray(events)}, ${textArray(sums)}) as t(k, s, w, d, e, v)
            join catalog_meters m on m.key = t.k
            on conflict (meter_id, subject, window_start, dimensions) do update set events = excluded.events, sum_value = excluded.sum_value, max_value = excluded.max_value`,
      );
    });
    for (const list of [meters, subjects, windows, dimensions, events, sums]) list.length = 0;
  };
  for (const series of planted) {
    const externalId = `${options.prefix}${series.key}`;
    const redirected = options.redirectedSubjects?.get(series.key);
    const rows = [...series.hours.map((hour) => ({ hour, subject: externalId })), ...(redirected === undefined ? [] : series.lostHours.map((hour) => ({ hour, subject: redirected })))];
    for (const { hour, subject } of rows) {
      const startMs = hour.hour * hourMs;
      if (series.meterKey === "llm_tokens") {
        // Two models: most tokens on sonnet, the rest on opus (the spike evidence names one).
        const opusEvents = Math.floor(hour.events / 4);
        const opusTokens = Math.floor((hour.quantity * opusEvents) / Math.max(hour.events, 1));
        for (const [model, count, tokens] of [["sonnet", hour.events - opusEvents, hour.quantity - opusTokens], ["opus", opusEvents, opusTokens]] as const) {
          if (count <= 0) continue;
          meters.push("llm_tokens");
          subjects.push(subject);
          windows.push(new Date(startMs).toISOString());
          dimensions.push(JSON.stringify({ model }));
          events.push(String(count));
          sums.push(String(tokens));
        }
      } else {
        meters.push(series.meterKey);
        subjects.push(subject);
        windows.push(new Date(startMs).toISOString());
        dimensions.push("{}");
        events.push(String(hour.events));
        sums.push(null);
      }
      if (meters.length >= 5_000) await flush();
    }
  }
  await flush();
  return new Map(planted.map((series) => [series.key, idByExternal.get(`${options.prefix}${series.key}`)!]));
}
