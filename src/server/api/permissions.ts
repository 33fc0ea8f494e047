import type { Role } from "@/db/schema";

const everyone: readonly Role[] = ["support", "product", "finance", "admin"];

/**
 * The one table of who may do what. Every tRPC procedure names one of these (a test walks
 * the router and fails on a procedure without one); the UI reads the same table to hide
 * what a role cannot use, but the server is what enforces it.
 */
export const permissions = {
  "session.read": everyone,
  "customers.read": everyone,
  "customers.write": ["support", "admin"],
  // Support's notes on a customer (read with customers.read).
  "customers.notes.write": ["support", "admin"],
  "users.manage": ["admin"],
  "audit.read": ["admin"],
  "apiKeys.manage": ["admin"],
  "catalog.read": everyone,
  "catalog.write": ["product", "admin"],
  "metering.read": everyone,
  "ledger.read": ["support", "finance", "admin"],
  "ledger.write": ["finance", "admin"],
  "ledger.export": ["finance", "admin"],
  "grants.read": everyone,
  "grants.issue": ["support", "finance", "admin"],
  "grants.approve": ["finance", "admin"],
  // Who may change each role's limit per credit: not finance, whose approvals those limits decide.
  "grants.configure": ["admin"],
  "promotions.read": everyone,
  "promotions.write": ["product", "admin"],
  "promotions.apply": ["support", "admin"],
  "billing.read": everyone,
  "billing.change": ["support", "product", "admin"],
  "billing.close": ["finance", "admin"],
  "dunning.manage": ["support", "admin"],
  "stripe.read": everyone,
  "stripe.admin": ["admin"],
  "insights.read": ["support", "finance", "admin"],
  // Finance reports: support reads them (a customer's statement), finance and admin export and close months.
  "reports.read": ["support", "finance", "admin"],
  "reports.export": ["finance", "admin"],
  "periods.close": ["finance", "admin"],
  // Reopening a closed month changes what finance already reported: admin only, with a reason.
  "periods.reopen": ["admin"],
  // A customer's API requests and webhook events (the product's integration, seen by the people who support it).
  "api.activity.read": ["support", "product", "admin"],
  // Webhook endpoints: register, edit, disable, replay deliveries.
  "webhooks.manage": ["admin"],
  // The anomaly queue: product reads it (usage patterns), the people who answer customers act on it.
  "anomalies.read": everyone,
  "anomalies.act": ["support", "finance", "admin"],
  // Detection thresholds (audited): admin only.
  "anomalies.configure": ["admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissions;

export function can(role: Role | undefined, permission: Permission): boolean {
  return role !== undefined && (permissions[permission] as readonly Role[]).includes(role);
}

export function isPermission(value: unknown): value is Permission {
  return typeof value === "string" && Object.hasOwn(permissions, value);
}
