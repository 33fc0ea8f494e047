import { bigint, pgTable, timestamp, uuid } from "drizzle-orm/pg-core";
import { customers } from "./customers";

/**
 * One row per customer whose entitlements changed at least once: `version` grows by one in the
 * same transaction as any change that affects what the customer may use (plan, seats, status,
 * grants, promotions, spend limit). Entitlement caches compare versions instead of expiring on a
 * timer, so the very next check after a commit sees the change.
 */
export const entitlementVersions = pgTable("entitlement_versions", {
  customerId: uuid("customer_id")
    .primaryKey()
    .references(() => customers.id),
  version: bigint("version", { mode: "bigint" }).notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
