import { z } from "zod";
import { anomalyKinds, anomalySeverities, anomalyStatuses } from "@/db/schema";
import { listAnomalies, anomalyPageMax } from "@/server/anomalies/list-anomalies";
import { getCustomer } from "@/server/customers/get-customer";
import { anomaliesView, listAnomaliesForViewer } from "../../lists/anomaly-lists";
import { authorizedProcedure } from "../../trpc";

export const listInput = z.object({
  status: z.array(z.enum(anomalyStatuses)).max(anomalyStatuses.length).optional(),
  kind: z.array(z.enum(anomalyKinds)).max(anomalyKinds.length).optional(),
  severity: z.array(z.enum(anomalySeverities)).max(anomalySeverities.length).optional(),
  /** Tally id or external id. */
  customer: z.string().trim().min(1).max(256).optional(),
  /** A user id, "me" or "none". */
  assignee: z.union([z.uuid(), z.literal("none"), z.literal("me")]).optional(),
  sort: z.enum(["impact", "detected"]).default("impact"),
  limit: z.number().int().min(1).max(anomalyPageMax).default(25),
  after: z.uuid().optional(),
});

/** The queue, filtered and paged on the server. */
export const list = authorizedProcedure("anomalies.read")
  .input(listInput)
  .query(async ({ ctx, input }) => {
    const customer = input.customer ? await getCustomer(ctx.db, input.customer) : null;
    const assigneeId = input.assignee === "me" ? ctx.user.id : input.assignee;
    return listAnomalies(ctx.db, { status: input.status, kind: input.kind, severity: input.severity, customerId: customer?.id, assigneeId, sort: input.sort, limit: input.limit, after: input.after });
  });

/** The console's queue: the URL's view, keyset-paged (the CSV export reads the same view). */
export const listView = authorizedProcedure("anomalies.read")
  .input(anomaliesView.extend({ limit: z.number().int().min(1).max(anomalyPageMax).default(25) }))
  .query(({ ctx, input }) => listAnomaliesForViewer(ctx.db, input, { userId: ctx.user.id }));
