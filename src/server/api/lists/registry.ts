import { z } from "zod";
import type { Db } from "@/db/client";
import { customerListStatuses, customerSortKeys, listCustomers, type ListedCustomer } from "@/server/customers/list-customers";
import { actorTypes, customerKinds, invoiceKinds, invoiceStatuses, type AuditEntry } from "@/db/schema";
import { listAuditView } from "@/server/audit/list-audit-view";
import type { InvoiceSummary } from "@/server/invoicing/list-invoices";
import { invoiceSortKeys, listInvoicesView } from "@/server/invoicing/list-invoices-view";
import type { ListExport } from "./export-list";
import { apiKeysExport, usersExport } from "./admin-lists";
import { ledgerAccountsExport, ledgerStatementExport } from "./ledger-lists";
import { anomaliesExport } from "./anomaly-lists";
import { creditRequestsExport } from "./credit-request-lists";
import { customerApiRequestsExport, customerNotesExport } from "./customer-lists";
import { customerGrantsExport } from "./grant-lists";
import { customerPaymentsExport } from "./payment-lists";
import { plansExport } from "./plan-lists";
import { planSimulationResultsExport } from "./plan-simulation-lists";
import { promotionRedemptionsExport, promotionsExport } from "./promotion-lists";
import { unknownSubjectsExport } from "./unknown-subject-lists";
import { syncFailuresExport, webhookDeliveriesExport, webhookEndpointsExport, webhookEventsExport } from "./webhook-lists";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each list has its own input and row type.
type AnyListExport = ListExport<any, any>;

/** URL view of the customer list (the page and the export read it). */
export const customersView = z.object({
  search: z.string().trim().max(200).optional(),
  kind: z.enum(customerKinds).optional(),
  status: z.enum(customerListStatuses).optional(),
  plan: z.string().trim().min(1).max(100).optional(),
  sort: z.enum(customerSortKeys).default("name"),
  direction: z.enum(["asc", "desc"]).default("asc"),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(25),
});

const customers: ListExport<z.infer<typeof customersView>, ListedCustomer> = {
  permission: "customers.read",
  filename: "customers",
  schema: customersView,
  list: listCustomers,
  columns: [
    { label: "Name", value: (row) => row.name },
    { label: "Email", value: (row) => row.email },
    { label: "External id", value: (row) => row.externalId },
    { label: "Kind", value: (row) => row.kind },
    { label: "Plan", value: (row) => row.planName },
    { label: "Status", value: (row) => row.status },
    { label: "Currency", value: (row) => row.currency },
    { label: "Balance due", type: "money", value: (row) => row.balanceDueMicros },
    { label: "Month-to-date spend", type: "money", value: (row) => row.monthSpendMicros },
    { label: "Open anomalies", value: (row) => row.openAnomalies },
    { label: "Customer since", value: (row) => row.createdAt },
  ],
};

/** URL view of the invoice list: `q` is an invoice number or its start. */
export const invoicesView = z.object({
  search: z.string().trim().max(40).optional(),
  status: z.enum(invoiceStatuses).optional(),
  kind: z.enum(invoiceKinds).optional(),
  customer: z.uuid().optional(),
  sort: z.enum(invoiceSortKeys).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
type InvoicesView = z.infer<typeof invoicesView>;

const listInvoices = (db: Db, input: InvoicesView) => listInvoicesView(db, { ...input, number: input.search, customerId: input.customer });

const invoices: ListExport<InvoicesView, InvoiceSummary> = {
  permission: "billing.read",
  filename: "invoices",
  schema: invoicesView,
  list: listInvoices,
  columns: [
    { label: "Number", value: (row) => row.number },
    { label: "Customer", value: (row) => row.customerName },
    { label: "Customer id", value: (row) => row.customerId },
    { label: "Kind", value: (row) => row.kind },
    { label: "Status", value: (row) => row.status },
    { label: "Currency", value: (row) => row.currency },
    { label: "Total", type: "money", value: (row) => row.totalMicros },
    { label: "Period start", value: (row) => row.periodStart },
    { label: "Period end", value: (row) => row.periodEnd },
    { label: "Issued", value: (row) => row.issuedAt },
    { label: "Stripe invoice", value: (row) => row.stripeInvoiceId },
  ],
};

/** URL view of the audit log. */
export const auditView = z.object({
  action: z.string().trim().max(200).optional(),
  objectType: z.string().trim().max(100).optional(),
  objectId: z.string().trim().max(200).optional(),
  actorType: z.enum(actorTypes).optional(),
  actorId: z.string().trim().max(200).optional(),
  sort: z.literal("occurred").optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
type AuditView = z.infer<typeof auditView>;

const audit: ListExport<AuditView, AuditEntry> = {
  permission: "audit.read",
  filename: "audit-log",
  schema: auditView,
  list: listAuditView,
  columns: [
    { label: "Id", value: (row) => row.id },
    { label: "Occurred", value: (row) => row.occurredAt },
    { label: "Actor type", value: (row) => row.actorType },
    { label: "Actor id", value: (row) => row.actorId },
    { label: "Actor", value: (row) => row.actorLabel },
    { label: "Action", value: (row) => row.action },
    { label: "Object type", value: (row) => row.objectType },
    { label: "Object id", value: (row) => row.objectId },
    { label: "Reason", value: (row) => row.reason },
    { label: "Before", value: (row) => (row.before === null ? null : JSON.stringify(row.before)) },
    { label: "After", value: (row) => (row.after === null ? null : JSON.stringify(row.after)) },
  ],
};

/** `/api/lists/<name>/export`: every console list that exports. */
export const listExports: Record<string, AnyListExport> = {
  customers,
  invoices,
  audit,
  "ledger-accounts": ledgerAccountsExport,
  "ledger-statement": ledgerStatementExport,
  users: usersExport,
  "api-keys": apiKeysExport,
  promotions: promotionsExport,
  "promotion-redemptions": promotionRedemptionsExport,
  "credit-requests": creditRequestsExport,
  "credit-grants": customerGrantsExport,
  "customer-notes": customerNotesExport,
  "api-activity": customerApiRequestsExport,
  "webhook-events": webhookEventsExport,
  "webhook-endpoints": webhookEndpointsExport,
  "webhook-deliveries": webhookDeliveriesExport,
  anomalies: anomaliesExport,
  "stripe-sync-failures": syncFailuresExport,
  "plan-simulation-results": planSimulationResultsExport,
  "unknown-subjects": unknownSubjectsExport,
  payments: customerPaymentsExport,
  plans: plansExport,
};

export { listInvoices as listInvoicesForView };
