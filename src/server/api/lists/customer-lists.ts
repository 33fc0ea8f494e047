import { z } from "zod";
import type { Db } from "@/db/client";
import type { CustomerNote } from "@/db/schema";
import { customerNoteSortKeys, listCustomerNotesView } from "@/server/customers/list-customer-notes-view";
import { apiRequestSortKeys, apiRequestStatusClasses, listApiRequestsView, type ApiRequestViewRow } from "@/server/http/list-api-requests-view";
import type { ListExport } from "./export-list";

/** URL view of one customer's notes: `customer` is the customer id (the page's path, the export's parameter); `q` is words in the note. */
export const customerNotesView = z.object({
  customer: z.uuid(),
  search: z.string().trim().max(200).optional(),
  author: z.string().trim().min(1).max(200).optional(),
  sort: z.enum(customerNoteSortKeys).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
type CustomerNotesView = z.infer<typeof customerNotesView>;

export const listCustomerNotesForView = (db: Db, input: CustomerNotesView) => listCustomerNotesView(db, { ...input, customerId: input.customer });

export const customerNotesExport: ListExport<CustomerNotesView, CustomerNote> = {
  permission: "customers.read",
  filename: "customer-notes",
  schema: customerNotesView,
  list: listCustomerNotesForView,
  columns: [
    { label: "Written", value: (row) => row.createdAt },
    { label: "Author", value: (row) => row.authorLabel },
    { label: "Author id", value: (row) => row.authorId },
    { label: "Note", value: (row) => row.body },
  ],
};

/** URL view of one customer's API requests: `q` is a request id or part of the path. */
export const customerApiRequestsView = z.object({
  customer: z.uuid(),
  search: z.string().trim().max(200).optional(),
  status: z.enum(apiRequestStatusClasses).optional(),
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).optional(),
  operation: z.string().trim().min(1).max(200).optional(),
  key: z.uuid().optional(),
  sort: z.enum(apiRequestSortKeys).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
type CustomerApiRequestsView = z.infer<typeof customerApiRequestsView>;

export const listCustomerApiRequestsForView = (db: Db, input: CustomerApiRequestsView) =>
  listApiRequestsView(db, { ...input, customerId: input.customer, statusClass: input.status, operationId: input.operation, apiKeyId: input.key });

export const customerApiRequestsExport: ListExport<CustomerApiRequestsView, ApiRequestViewRow> = {
  permission: "api.activity.read",
  filename: "api-activity",
  schema: customerApiRequestsView,
  list: listCustomerApiRequestsForView,
  columns: [
    { label: "When", value: (row) => row.createdAt },
    { label: "Request id", value: (row) => row.requestId },
    { label: "Method", value: (row) => row.method },
    { label: "Path", value: (row) => row.path },
    { label: "Operation", value: (row) => row.operationId },
    { label: "HTTP status", value: (row) => row.status },
    { label: "Error code", value: (row) => row.errorCode },
    { label: "Key", value: (row) => row.keyName },
    { label: "Key prefix", value: (row) => row.keyPrefix },
    { label: "Idempotency key", value: (row) => row.idempotencyKey },
    { label: "Idempotent replay", value: (row) => String(row.replayed) },
    { label: "Duration (ms)", value: (row) => row.durationMs },
  ],
};
