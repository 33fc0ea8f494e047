import { z } from "zod";
import type { Db } from "@/db/client";
import { grantCategories, grantSources } from "@/db/schema";
import { systemClock } from "@/server/clock";
import type { CustomerGrantView } from "@/server/grants/list-customer-grants";
import { customerGrantSortKeys, listCustomerGrantsView } from "@/server/grants/list-customer-grants-view";
import type { ListExport } from "./export-list";

/** URL view of one customer's credit grants: `customer` is the customer id (the page's path, the export's parameter). */
export const customerGrantsView = z.object({
  customer: z.uuid(),
  category: z.enum(grantCategories).optional(),
  source: z.enum(grantSources).optional(),
  sort: z.enum(customerGrantSortKeys).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
type CustomerGrantsView = z.infer<typeof customerGrantsView>;

/** Grant states (scheduled, active, used, expired) are as of `at`; the export's is the moment it runs. */
export const listCustomerGrantsForView = (db: Db, input: CustomerGrantsView, at: Date = systemClock.now()) => listCustomerGrantsView(db, { ...input, customerId: input.customer }, at);

export const customerGrantsExport: ListExport<CustomerGrantsView, CustomerGrantView> = {
  permission: "grants.read",
  filename: "credit-grants",
  schema: customerGrantsView,
  list: (db, input) => listCustomerGrantsForView(db, input),
  columns: [
    { label: "Grant", value: (row) => row.id },
    { label: "Currency", value: (row) => row.currency },
    { label: "Granted", type: "money", value: (row) => row.amountMicros },
    { label: "Remaining", type: "money", value: (row) => row.remainingMicros },
    { label: "State", value: (row) => row.state },
    { label: "Category", value: (row) => row.category },
    { label: "Source", value: (row) => row.source },
    { label: "Applies to", value: (row) => (row.appliesTo === "all" ? "all usage" : [...row.productKeys, ...row.meterKeys].join(" ")) },
    { label: "Reason", value: (row) => row.reason },
    { label: "Effective", value: (row) => row.effectiveAt },
    { label: "Expires", value: (row) => row.expiresAt },
    { label: "Created", value: (row) => row.createdAt },
    { label: "Created by", value: (row) => row.createdBy },
  ],
};
