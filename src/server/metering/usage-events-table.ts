import { bigint, boolean, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { xid8 } from "@/db/schema/metering";

/**
 * `usage_events`, declared for typed queries only. The table is partitioned by month on
 * `occurred_at`, which drizzle-kit cannot express, so it is created by the custom migration
 * drizzle/0003_metering_partitions.sql and deliberately kept out of src/db/schema/index.ts
 * (drizzle-kit would otherwise generate a second, unpartitioned CREATE TABLE).
 */
export const usageEvents = pgTable("usage_events", {
  seq: bigint("seq", { mode: "bigint" }).notNull(),
  txid: xid8("txid").notNull(),
  source: text("source").notNull(),
  eventId: text("event_id").notNull(),
  type: text("type").notNull(),
  subject: text("subject").notNull(),
  customerId: uuid("customer_id"),
  occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull(),
  ingestedAt: timestamp("ingested_at", { withTimezone: true }).notNull(),
  data: jsonb("data").$type<Record<string, unknown>>().notNull(),
  late: boolean("late").notNull(),
});

export type UsageEvent = typeof usageEvents.$inferSelect;
