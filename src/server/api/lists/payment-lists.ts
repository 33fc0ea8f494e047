import { z } from "zod";
import { customerPaymentSortKeys, listCustomerPaymentsView, paymentStatuses } from "@/server/stripe/list-customer-payments-view";
import type { Payment } from "@/server/stripe/list-payments";
import type { ListExport } from "./export-list";

/** URL view of one customer's payments: `customer` is the customer id (the page's path, the export's parameter). */
export const customerPaymentsView = z.object({
  customer: z.uuid(),
  status: z.enum(paymentStatuses).optional(),
  sort: z.enum(customerPaymentSortKeys).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
type CustomerPaymentsView = z.infer<typeof customerPaymentsView>;

export const listCustomerPaymentsForView = (db: Parameters<typeof listCustomerPaymentsView>[0], input: CustomerPaymentsView) =>
  listCustomerPaymentsView(db, { ...input, customerId: input.customer });

export const customerPaymentsExport: ListExport<CustomerPaymentsView, Payment> = {
  permission: "stripe.read",
  filename: "payments",
  schema: customerPaymentsView,
  list: listCustomerPaymentsForView,
  columns: [
    { label: "Charge", value: (row) => row.chargeId },
    { label: "Created", value: (row) => row.created },
    { label: "Currency", value: (row) => row.currency },
    { label: "Amount", type: "money", value: (row) => row.amountMicros },
    { label: "Refunded", type: "money", value: (row) => row.amountRefundedMicros },
    { label: "Status", value: (row) => row.status },
    { label: "Disputed", value: (row) => (row.disputed ? "yes" : "no") },
    { label: "Card", value: (row) => (row.cardLast4 ? `${row.cardBrand ?? "card"} ${row.cardLast4}` : row.cardBrand) },
    { label: "Failure", value: (row) => row.failureMessage },
    { label: "Decline code", value: (row) => row.declineCode ?? row.failureCode },
    { label: "Invoice", value: (row) => row.invoice?.number ?? null },
    { label: "Stripe invoice", value: (row) => row.stripeInvoiceId },
    { label: "Payment intent", value: (row) => row.paymentIntentId },
  ],
};
