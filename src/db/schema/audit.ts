import { bigserial, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const actorTypes = ["user", "api_key", "system"] as const;
export type ActorType = (typeof actorTypes)[number];

/** Append-only: a trigger in the migration refuses UPDATE and DELETE. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
    actorType: text("actor_type", { enum: actorTypes }).notNull(),
    actorId: text("actor_id").notNull(),
    actorLabel: text("actor_label").notNull(),
    action: text("action").notNull(),
    objectType: text("object_type").notNull(),
    objectId: text("object_id").notNull(),
    reason: text("reason"),
    before: jsonb("before"),
    after: jsonb("after"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
  },
  (table) => [
    index("audit_log_occurred_idx").on(table.occurredAt, table.id),
    index("audit_log_object_idx").on(table.objectType, table.objectId),
    // The console's audit list: each filter's rows newest first from one index (src/server/audit/list-audit-view.ts).
    index("audit_log_actor_id_idx").on(table.actorId, table.id),
    index("audit_log_action_id_idx").on(table.action, table.id),
    index("audit_log_object_type_id_idx").on(table.objectType, table.id),
    index("audit_log_actor_type_id_idx").on(table.actorType, table.id),
  ],
);

export type AuditEntry = typeof auditLog.$inferSelect;
