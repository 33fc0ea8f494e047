import { z } from "zod";
import { creditRequestStatuses } from "@/db/schema";
import type { CreditRequestView } from "@/server/grants/list-credit-requests";
import { creditRequestSortKeys, listCreditRequestsView } from "@/server/grants/list-credit-requests-view";
import type { ListExport } from "./export-list";

/** URL view of the credit approvals: `q` is part of a customer's name or external id. */
export const creditRequestsView = z.object({
  search: z.string().trim().max(200).optional(),
  status: z.enum(creditRequestStatuses).optional(),
  sort: z.enum(creditRequestSortKeys).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});

export const creditRequestsExport: ListExport<z.infer<typeof creditRequestsView>, CreditRequestView> = {
  permission: "grants.approve",
  filename: "credit-requests",
  schema: creditRequestsView,
  list: listCreditRequestsView,
  columns: [
    { label: "Customer", value: (row) => row.customerName },
    { label: "External id", value: (row) => row.customerExternalId },
    { label: "Status", value: (row) => row.status },
    { label: "Currency", value: (row) => row.currency },
    { label: "Amount", type: "money", value: (row) => row.amountMicros },
    { label: "Requester's limit", type: "money", value: (row) => row.limitMicros },
    { label: "Reason", value: (row) => row.reason },
    { label: "Requested by", value: (row) => row.requestedByLabel },
    { label: "Requested", value: (row) => row.createdAt },
    { label: "Credit expires", value: (row) => row.expiresAt },
    { label: "Decided by", value: (row) => row.decidedByLabel },
    { label: "Decided", value: (row) => row.decidedAt },
    { label: "Decision note", value: (row) => row.decisionNote },
  ],
};
