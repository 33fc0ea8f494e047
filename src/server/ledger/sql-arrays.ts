import { sql, type SQL } from "drizzle-orm";

/**
 * One PostgreSQL array literal as one text parameter, cast by the caller (`::uuid[]`). Set-based
 * statements pass columns as arrays to `unnest`, so a batch of 8,190 rows is a handful of
 * parameters on both drivers (drizzle would otherwise expand a JS array into one parameter per item).
 */
export function arrayLiteral(values: ReadonlyArray<string | bigint | number | boolean | null>): string {
  const parts = new Array<string>(values.length);
  for (let index = 0; index < values.length; index++) {
    const value = values[index];
    if (value === null || value === undefined) parts[index] = "NULL";
    else if (typeof value !== "string") parts[index] = String(value);
    else if (needsEscape.test(value)) parts[index] = `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
    else parts[index] = `"${value}"`;
  }
  return `{${parts.join(",")}}`;
}

const needsEscape = /["\\]/;

export function textArray(values: ReadonlyArray<string | null>): SQL {
  return sql`${arrayLiteral(values)}::text[]`;
}
export function uuidArray(values: ReadonlyArray<string | null>): SQL {
  return sql`${arrayLiteral(values)}::uuid[]`;
}
export function int8Array(values: ReadonlyArray<bigint>): SQL {
  return sql`${arrayLiteral(values)}::int8[]`;
}
export function timestamptzArray(values: ReadonlyArray<Date | null>): SQL {
  // A batch's times are mostly one instant: format each distinct one once.
  let last: Date | null = null;
  let lastText = "";
  const texts = values.map((value) => {
    if (!value) return null;
    if (last === null || value.getTime() !== last.getTime()) {
      last = value;
      lastText = value.toISOString();
    }
    return lastText;
  });
  return sql`${arrayLiteral(texts)}::timestamptz[]`;
}
export function jsonbArray(values: ReadonlyArray<unknown>): SQL {
  return sql`${arrayLiteral(values.map((value) => JSON.stringify(value)))}::jsonb[]`;
}
