import { z } from "zod";
import { customerListStatuses, customerSortKeys, listCustomers, type ListedCustomer } from "@/server/customers/list-customers";
import { customerKinds } from "@/db/schema";
import type { ListExport } from "./export-list";

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

/** `/api/lists/<name>/export`: every console list that exports. */
export const listExports: Record<string, AnyListExport> = { customers };
