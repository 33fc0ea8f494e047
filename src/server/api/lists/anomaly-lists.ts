import { z } from "zod";
import { anomalyKinds, anomalySeverities } from "@/db/schema";
import type { AnomalyListItem } from "@/server/anomalies/list-anomalies";
import { anomalySortKeys, anomalyStatusViews, listAnomaliesView, type ListAnomaliesViewResult } from "@/server/anomalies/list-anomalies-view";
import { DomainError } from "@/server/errors";
import type { Db } from "@/db/client";
import type { ListExport, ListViewer } from "./export-list";

/**
 * URL view of the anomaly queue: `status` is `active` (the default: open or acknowledged), `all` or
 * one status; `customer` a Tally id or external id; `assignee` a user id, `me` or `none`.
 */
export const anomaliesView = z.object({
  status: z.enum(anomalyStatusViews).optional(),
  kind: z.enum(anomalyKinds).optional(),
  severity: z.enum(anomalySeverities).optional(),
  // A text longer than any external id is accepted and names no customer (the page says so).
  customer: z.string().trim().max(10_000).optional(),
  assignee: z.union([z.uuid(), z.literal("none"), z.literal("me")]).optional(),
  sort: z.enum(anomalySortKeys).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(25),
});
export type AnomaliesView = z.infer<typeof anomaliesView>;

/** The view as the viewer sees it: `assignee=me` is their own user id. */
export function listAnomaliesForViewer(db: Db, input: AnomaliesView, viewer: ListViewer | undefined): Promise<ListAnomaliesViewResult> {
  if (input.assignee === "me" && !viewer) throw new DomainError("invalid", "parameter_invalid", "assignee=me needs a signed-in user.", undefined, { param: "assignee" });
  const assigneeId = input.assignee === "me" ? viewer!.userId : input.assignee;
  return listAnomaliesView(db, { ...input, customer: input.customer || undefined, assigneeId });
}

export const anomaliesExport: ListExport<AnomaliesView, AnomalyListItem> = {
  permission: "anomalies.read",
  filename: "anomalies",
  schema: anomaliesView,
  list: listAnomaliesForViewer,
  columns: [
    { label: "Anomaly", value: (row) => row.id },
    { label: "Severity", value: (row) => row.severity },
    { label: "Status", value: (row) => row.status },
    { label: "Kind", value: (row) => row.kind },
    { label: "What was found", value: (row) => row.title },
    { label: "Customer", value: (row) => row.customer?.name ?? null },
    { label: "External id", value: (row) => row.customer?.externalId ?? null },
    { label: "Subject", value: (row) => row.subject },
    { label: "Currency", value: (row) => row.currency },
    { label: "At stake", type: "money", value: (row) => row.impactMicros },
    { label: "Observed", value: (row) => row.observed },
    { label: "Expected", value: (row) => row.expected },
    { label: "Window start", value: (row) => row.windowStart },
    { label: "Window end", value: (row) => row.windowEnd },
    { label: "Assignee", value: (row) => row.assignee?.email ?? null },
    { label: "First detected", value: (row) => row.firstDetectedAt },
    { label: "Last detected", value: (row) => row.lastDetectedAt },
    { label: "Closed", value: (row) => row.closedAt },
    { label: "Closed reason", value: (row) => row.closedReason },
  ],
};
