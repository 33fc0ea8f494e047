import { z } from "zod";
import type { UnknownSubjectForReview } from "@/server/metering/list-unknown-subjects-for-review";
import { listUnknownSubjectsView, unknownSubjectCustomerStates, unknownSubjectSortKeys } from "@/server/metering/list-unknown-subjects-view";
import type { ListExport } from "./export-list";

/** URL view of the unknown subjects: `q` is a subject or its start, `customer` whether one has its external id now. */
export const unknownSubjectsView = z.object({
  search: z.string().trim().max(256).optional(),
  customer: z.enum(unknownSubjectCustomerStates).optional(),
  sort: z.enum(unknownSubjectSortKeys).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  // A subject is up to 256 characters and is both the sort value and the id of the `subject` sort.
  cursor: z.string().max(4000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});

export const unknownSubjectsExport: ListExport<z.infer<typeof unknownSubjectsView>, UnknownSubjectForReview> = {
  permission: "metering.read",
  filename: "unknown-subjects",
  schema: unknownSubjectsView,
  list: listUnknownSubjectsView,
  columns: [
    { label: "Subject", value: (row) => row.subject },
    { label: "Events", value: (row) => row.events },
    { label: "First event", value: (row) => row.firstOccurredAt },
    { label: "Last event", value: (row) => row.lastOccurredAt },
    { label: "Customer", value: (row) => row.customer?.name ?? null },
    { label: "Customer id", value: (row) => row.customer?.id ?? null },
  ],
};
