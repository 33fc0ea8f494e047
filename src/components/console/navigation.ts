import type { Permission } from "@/server/api/permissions";

export type NavigationItem = { href: string; label: string; permission: Permission; section: "Today" | "Customers" | "Money" | "Product" | "Admin" };

/** The console's pages; each is shown only to roles whose permission allows it (the page checks again). */
export const navigation: NavigationItem[] = [
  { href: "/", label: "Home", permission: "session.read", section: "Today" },
  { href: "/health", label: "Billing health", permission: "insights.read", section: "Today" },
  { href: "/customers", label: "Customers", permission: "customers.read", section: "Customers" },
  { href: "/anomalies", label: "Anomalies", permission: "anomalies.read", section: "Customers" },
  { href: "/ledger", label: "Ledger", permission: "ledger.read", section: "Money" },
  { href: "/ledger/trial-balance", label: "Trial balance", permission: "ledger.read", section: "Money" },
  { href: "/invoices", label: "Invoices", permission: "billing.read", section: "Money" },
  { href: "/reports", label: "Reports", permission: "reports.read", section: "Money" },
  { href: "/reports/periods", label: "Closed months", permission: "reports.read", section: "Money" },
  { href: "/credits/approvals", label: "Credit approvals", permission: "grants.approve", section: "Money" },
  { href: "/catalog", label: "Plans & meters", permission: "catalog.read", section: "Product" },
  { href: "/promotions", label: "Promotions", permission: "promotions.read", section: "Product" },
  { href: "/metering", label: "Ingestion", permission: "metering.read", section: "Product" },
  { href: "/admin/users", label: "Users & roles", permission: "users.manage", section: "Admin" },
  { href: "/admin/audit", label: "Audit log", permission: "audit.read", section: "Admin" },
  { href: "/admin/webhooks", label: "Stripe webhooks", permission: "stripe.admin", section: "Admin" },
  { href: "/admin/api-keys", label: "API keys", permission: "apiKeys.manage", section: "Admin" },
  { href: "/admin/webhook-endpoints", label: "Webhooks out", permission: "webhooks.manage", section: "Admin" },
  { href: "/admin/credit-limits", label: "Credit limits", permission: "grants.configure", section: "Admin" },
];
