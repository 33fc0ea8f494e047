import { sql } from "drizzle-orm";
import { index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const customerKinds = ["individual", "team"] as const;
export type CustomerKind = (typeof customerKinds)[number];

export const customers = pgTable(
  "customers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** The product's own id for the customer; usage events name it as `subject`. */
    externalId: text("external_id").notNull().unique(),
    name: text("name").notNull(),
    email: text("email").notNull(),
    kind: text("kind", { enum: customerKinds }).notNull(),
    currency: text("currency").notNull().default("usd"),
    metadata: jsonb("metadata").$type<Record<string, string>>().notNull().default({}),
    /**
     * End of the latest usage window invoiced for this customer (a period's end, or a threshold
     * invoice's cutoff); null before the first invoice. Ingestion marks an event for an earlier
     * time `late`: it is billed as late usage on the next invoice, never by changing this one.
     */
    usageInvoicedThrough: timestamp("usage_invoiced_through", { withTimezone: true }),
    /** Set when the product archives the customer: hidden from lists, no new subscription, no further changes. */
    archivedAt: timestamp("archived_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index("customers_name_idx").on(sql`lower(${table.name})`, table.id),
    index("customers_email_idx").on(sql`lower(${table.email})`),
    index("customers_created_idx").on(table.createdAt, table.id),
  ],
);

export type Customer = typeof customers.$inferSelect;
