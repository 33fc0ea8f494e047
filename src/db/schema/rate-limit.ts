import { numeric, pgTable, text } from "drizzle-orm/pg-core";

/**
 * One row per rate-limited key (an API key, a sign-in address, an account): the moment its
 * bucket is full again, in epoch milliseconds (fractional; GCRA's "theoretical arrival time",
 * see src/server/rate-limit/README.md). A row whose moment has passed means the same as no row,
 * so pruning deletes it. UNLOGGED (custom migration): limits are not worth a WAL write per
 * request, and a PostgreSQL crash resetting them is acceptable.
 */
export const rateLimits = pgTable("rate_limits", {
  key: text("key").primaryKey(),
  refillAtMs: numeric("refill_at_ms").notNull(),
});
