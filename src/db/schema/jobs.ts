import { integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Items a batch job could not process (one subscription of a period close, one grant of an
 * expiry run, ...), so that one bad item is recorded and the rest of its batch completes. A row
 * stays open while the item keeps failing (`attempts` counts the runs) and is resolved by the
 * first run that processes it. The anomaly queue reads the open ones.
 */
export const jobItemFailures = pgTable(
  "job_item_failures",
  {
    job: text("job").notNull(),
    /** What failed, e.g. `subscription:<id>:period:<start>`, `grant:<id>`. */
    itemKey: text("item_key").notNull(),
    /** The stable code of the error (a DomainError's code, else `internal_error`). */
    code: text("code").notNull(),
    message: text("message").notNull(),
    attempts: integer("attempts").notNull().default(1),
    firstFailedAt: timestamp("first_failed_at", { withTimezone: true }).notNull(),
    lastFailedAt: timestamp("last_failed_at", { withTimezone: true }).notNull(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
  },
  (table) => [primaryKey({ columns: [table.job, table.itemKey] })],
);

export type JobItemFailure = typeof jobItemFailures.$inferSelect;
