import { sql } from "drizzle-orm";
import { boolean, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { roles } from "./roles";

export { roles, type Role } from "./roles";

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull().unique(),
    name: text("name").notNull(),
    role: text("role", { enum: roles }).notNull(),
    /** bcrypt hash for the development credentials provider; null for OIDC-only users. */
    passwordHash: text("password_hash"),
    disabled: boolean("disabled").notNull().default(false),
    /** Sessions carry the version they were issued under; signing out bumps it, so every older session cookie stops working. */
    sessionVersion: integer("session_version").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    // The console list's sorts.
    index("users_email_sort_idx").on(table.email, table.id),
    index("users_name_sort_idx").on(sql`lower(${table.name})`, table.id),
    index("users_created_sort_idx").on(table.createdAt, table.id),
  ],
);

export type User = typeof users.$inferSelect;
