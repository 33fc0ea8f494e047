import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { isLosslessNumber } from "@/lib/parse-json-exact";
import { Decimal } from "@/server/pricing/decimal";
import { ingestLimits } from "./ingest-limits";

/*
 * What a meter can aggregate, in one place for ingestion (which refuses an event carrying a value
 * a meter of its type could not count) and the rollups (which, for events stored before that
 * check existed, aggregate such a value as if it were missing: meterNumberSql).
 *
 * A sum, max or latest meter reads the property at its value path as an exact decimal: a JSON
 * number, or a string holding a decimal (`"12.5"`), in [0, 10^15) with at most 12 decimal places
 * (PostgreSQL's `scale`, trailing zeros included). 10^15 units per event is far past any real
 * usage (a quadrillion tokens) and keeps a month of events per customer well inside the pricing
 * engine's exact range; 12 places is the precision of prices and quantities everywhere else.
 */

/** A numeric meter's value path for one event type, as ingestion checks it. */
export type MeterValueRule = { meterKey: string; path: readonly string[] };

/** Event type → the value paths of the sum/max/latest meters that read it. */
export type MeterValueRules = ReadonlyMap<string, readonly MeterValueRule[]>;

const decimalStringPattern = /^-?[0-9]{1,30}(\.[0-9]{1,30})?$/;
const numberTextPattern = /^-?[0-9]+(\.([0-9]+))?([eE]([+-]?[0-9]+))?$/;
const valueLimit = new Decimal(ingestLimits.valueLimit);
/** The same bound as a double: 10^15 is below 2^53, so every integer under it is exact. */
const valueLimitNumber = Number(ingestLimits.valueLimit);

/** Why `value` (what a meter found at its value path) cannot be aggregated, or null when it can. */
export function meterValueProblem(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "number") {
    // Nearly every value is a small whole number: decided without text or Decimal.
    if (Number.isInteger(value) && value >= 0 && value < valueLimitNumber) return null;
    return decimalTextProblem(JSON.stringify(value));
  }
  if (isLosslessNumber(value)) return decimalTextProblem(value.value);
  if (typeof value === "string") {
    return decimalStringPattern.test(value) ? decimalTextProblem(value) : "is a string that is not a decimal number";
  }
  return "must be a number (or a string holding a decimal)";
}

/** The checks on a decimal's text (a JSON number or a decimal string), as PostgreSQL's numeric reads it. */
function decimalTextProblem(text: string): string | null {
  const match = numberTextPattern.exec(text);
  if (!match) return "is not a number";
  const fractionDigits = match[2]?.length ?? 0;
  const exponent = match[4] === undefined ? 0 : Number(match[4]);
  // numeric's scale: digits after the point once the exponent is applied, trailing zeros kept.
  if (!Number.isFinite(exponent) || Math.abs(exponent) > 1_000) return "is out of range";
  const scale = Math.max(0, fractionDigits - exponent);
  if (scale > ingestLimits.valueDecimalPlacesMax) return `has more than ${ingestLimits.valueDecimalPlacesMax} decimal places`;
  const decimal = new Decimal(text);
  if (decimal.isNegative() && !decimal.isZero()) return "is negative (usage values must be 0 or more)";
  if (decimal.gte(valueLimit)) return `is ${ingestLimits.valueLimit} or more`;
  return null;
}

/** The value at a meter's dotted path in an event's data, as PostgreSQL's `#>` finds it. */
export function valueAtPath(data: unknown, path: readonly string[]): unknown {
  let current = data;
  for (const key of path) {
    if (Array.isArray(current)) {
      if (!/^-?[0-9]+$/.test(key)) return undefined;
      const index = Number(key);
      current = current[index < 0 ? current.length + index : index];
    } else if (typeof current === "object" && current !== null && !isLosslessNumber(current)) {
      current = Object.prototype.hasOwnProperty.call(current, key) ? (current as Record<string, unknown>)[key] : undefined;
    } else {
      return undefined;
    }
  }
  return current;
}

/** How long a process trusts its copy of the meters' value paths (a new meter is checked from then on). */
export const meterValueRulesTtlMs = 2_000;

type CachedRules = { rules: MeterValueRules; loadedAtMs: number; loading?: Promise<MeterValueRules> };
const cacheByDb = new WeakMap<object, CachedRules>();

/**
 * The value paths of every sum, max and latest meter by event type, re-read at most every
 * meterValueRulesTtlMs. A meter created since is checked from the next read; the rollups treat
 * any value they cannot aggregate as missing, so the window only means such a value is stored.
 */
export async function getMeterValueRules(db: Db, nowMs = Date.now()): Promise<MeterValueRules> {
  const cached = cacheByDb.get(db);
  if (cached && nowMs - cached.loadedAtMs < meterValueRulesTtlMs) return cached.rules;
  if (cached?.loading) return cached.loading;
  const loading = loadMeterValueRules(db);
  cacheByDb.set(db, { rules: cached?.rules ?? new Map(), loadedAtMs: cached?.loadedAtMs ?? 0, loading });
  try {
    const rules = await loading;
    cacheByDb.set(db, { rules, loadedAtMs: nowMs });
    return rules;
  } catch (error) {
    if (cached) cacheByDb.set(db, { rules: cached.rules, loadedAtMs: cached.loadedAtMs });
    else cacheByDb.delete(db);
    throw error;
  }
}

async function loadMeterValueRules(db: Db): Promise<MeterValueRules> {
  const rows = await executeRows<{ key: string; event_type: string; value_path: string }>(
    db,
    sql`select key, event_type, value_path from catalog_meters
        where aggregation in ('sum', 'max', 'latest') and value_path is not null order by key limit 10000`,
  );
  const rules = new Map<string, MeterValueRule[]>();
  for (const row of rows) {
    const list = rules.get(row.event_type) ?? [];
    list.push({ meterKey: row.key, path: row.value_path.split(".") });
    rules.set(row.event_type, list);
  }
  return rules;
}

/** Tests: forget the cached rules of `db`. */
export function forgetMeterValueRules(db: Db): void {
  cacheByDb.delete(db);
}
