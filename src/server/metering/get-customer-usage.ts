import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { meters, type MeterAggregation } from "@/db/schema";
import { DomainError } from "@/server/errors";

export const usageWindows = ["hour", "day", "month"] as const;
export type UsageWindow = (typeof usageWindows)[number];

const hourMs = 3_600_000;
/** Longest range per window size, so a response stays bounded (at most ~1,900 buckets per group). */
const rangeDaysMaxByWindow: Record<UsageWindow, number> = { hour: 31, day: 400, month: 1_830 };
const rowsMax = 10_000;

export const getCustomerUsageInput = z
  .object({
    externalId: z.string().min(1).max(256),
    meterKey: z.string().min(1).max(64),
    from: z.coerce.date(),
    to: z.coerce.date(),
    window: z.enum(usageWindows).default("day"),
    groupBy: z.array(z.string().min(1).max(200)).max(5).default([]),
  })
  .superRefine((input, context) => {
    if (input.from >= input.to) context.addIssue({ code: "custom", path: ["to"], message: "to must be after from" });
    if (input.from.getTime() % hourMs !== 0 || input.to.getTime() % hourMs !== 0) {
      context.addIssue({ code: "custom", path: ["from"], message: "from and to must be whole hours (UTC), the rollup window" });
    }
    const days = (input.to.getTime() - input.from.getTime()) / 86_400_000;
    if (days > rangeDaysMaxByWindow[input.window]) {
      context.addIssue({
        code: "custom",
        path: ["to"],
        message: `with window=${input.window} the range is at most ${rangeDaysMaxByWindow[input.window]} days`,
      });
    }
  });

export type GetCustomerUsageInput = z.input<typeof getCustomerUsageInput>;

export type UsagePoint = {
  /** UTC bucket start; the first and last buckets cover only their part of [from, to). */
  windowStart: Date;
  dimensions: Record<string, string | null>;
  /** Exact decimal as a string; null when no event carried a value (sum, max, latest). */
  value: string | null;
};

export type CustomerUsage = {
  meter: { key: string; aggregation: MeterAggregation; unit: string };
  externalId: string;
  from: Date;
  to: Date;
  window: UsageWindow;
  groupBy: string[];
  /** Buckets that had usage, in time order (empty buckets are omitted). */
  data: UsagePoint[];
  /** The whole range per dimension group; a unique count is distinct across all windows. */
  totals: { dimensions: Record<string, string | null>; value: string | null }[];
};

/**
 * A customer's usage of one meter from the rollups (hour windows, rolled up within seconds
 * of ingestion; see getIngestionStats for the current lag). Customers are named by external
 * id, as events name them, so usage of a subject not yet attached to a customer shows too.
 */
export async function getCustomerUsage(db: Db, input: GetCustomerUsageInput): Promise<CustomerUsage> {
  const parsed = getCustomerUsageInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError("invalid", "invalid_usage_query", `${issue?.path.join(".") || "query"}: ${issue?.message ?? "invalid"}`);
  }
  const query = parsed.data;
  const [meter] = await db.select().from(meters).where(eq(meters.key, query.meterKey)).limit(1);
  if (!meter) throw new DomainError("not_found", "meter_not_found", `No meter has key ${query.meterKey}.`);
  const unknown = query.groupBy.filter((dimension) => !meter.groupBy.includes(dimension));
  if (unknown.length > 0) {
    throw new DomainError("invalid", "invalid_group_by", `Meter ${meter.key} can be grouped by ${meter.groupBy.join(", ") || "nothing"}; not ${unknown.join(", ")}.`);
  }
  const scope = sql`meter_id = ${meter.id} and subject = ${query.externalId}
    and window_start >= ${query.from.toISOString()}::timestamptz and window_start < ${query.to.toISOString()}::timestamptz`;
  const dimensions = sql`(select coalesce(jsonb_object_agg(k, dimensions -> k), '{}'::jsonb) from unnest(${`{${query.groupBy.map(quoteArrayItem).join(",")}}`}::text[]) k)`;
  const bucket = sql`date_trunc(${query.window}, window_start, 'UTC')`;
  const data = await aggregate(db, meter.aggregation, scope, bucket, dimensions);
  const totals = await aggregate(db, meter.aggregation, scope, sql`null::timestamptz`, dimensions);
  return {
    meter: { key: meter.key, aggregation: meter.aggregation, unit: meter.unit },
    externalId: query.externalId,
    from: query.from,
    to: query.to,
    window: query.window,
    groupBy: query.groupBy,
    data: data.map((row) => ({ windowStart: new Date(row.bucket as string), dimensions: row.dimensions, value: row.value })),
    totals: totals.map((row) => ({ dimensions: row.dimensions, value: row.value })),
  };
}

type AggregateRow = { bucket: string | Date | null; dimensions: Record<string, string | null>; value: string | null };

async function aggregate(db: Db, aggregation: MeterAggregation, scope: ReturnType<typeof sql>, bucket: ReturnType<typeof sql>, dimensions: ReturnType<typeof sql>) {
  const query =
    aggregation === "unique_count"
      ? sql`select ${bucket} as bucket, ${dimensions} as dimensions, count(distinct value)::text as value
            from usage_rollup_values where ${scope} group by 1, 2 order by 1, 2 limit ${rowsMax + 1}`
      : sql`select ${bucket} as bucket, ${dimensions} as dimensions, (${valueSql(aggregation)})::text as value
            from usage_rollups where ${scope} group by 1, 2 order by 1, 2 limit ${rowsMax + 1}`;
  const rows = await executeRows<AggregateRow>(db, query);
  if (rows.length > rowsMax) {
    throw new DomainError("too_large", "usage_too_large", `More than ${rowsMax} rows: use a larger window, a shorter range or fewer group-by dimensions.`);
  }
  return rows;
}

function valueSql(aggregation: Exclude<MeterAggregation, "unique_count">) {
  switch (aggregation) {
    case "count":
      return sql`sum(events)`;
    case "sum":
      return sql`sum(sum_value)`;
    case "max":
      return sql`max(max_value)`;
    case "latest":
      return sql`(array_agg(latest_value order by latest_at desc, latest_seq desc) filter (where latest_at is not null))[1]`;
  }
}

/** Group-by paths are validated against the meter, but quote them for the array literal anyway. */
function quoteArrayItem(value: string): string {
  return `"${value.replace(/["\\]/g, (char) => `\\${char}`)}"`;
}
