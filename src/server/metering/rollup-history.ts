import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";

/*
 * The rollup history generation: a counter (the `last_seq` of the metering_cursors row of this
 * name) bumped, in the same transaction, by every write that changes the rollups of events
 * already behind the rollup cursor: the backfill of a new meter, a verification's repair,
 * planted usage. The rollup claim does not bump it: it only adds events past the cursor, which
 * readers of a cached aggregate count from raw events (see the entitlements' usage prefix). A
 * reader that cached an aggregate of past rollups with the generation it read keeps using it
 * only while the generation it reads in the same statement is unchanged.
 */
export const rollupHistoryName = "rollup-history";

/** Bumps the generation (inside the transaction that rewrites rollups; the row lock orders concurrent bumps). */
export async function bumpRollupHistory(tx: Db): Promise<void> {
  await executeRows(
    tx,
    sql`insert into metering_cursors (name, last_seq) values (${rollupHistoryName}, 1)
        on conflict (name) do update set last_seq = metering_cursors.last_seq + 1, updated_at = now()`,
  );
}

/** The generation as text, read in the statement that uses it (0 before any rewrite). */
export function rollupHistorySql() {
  return sql`coalesce((select last_seq from metering_cursors where name = ${rollupHistoryName}), 0)::text`;
}
