import { z } from "zod";
import { listAuditForObject } from "@/server/audit/list-audit-entries";
import { authorizedProcedure } from "../../trpc";

/** What happened to one customer, newest first: support reads it without the full audit log. */
export const timeline = authorizedProcedure("customers.read")
  .input(z.object({ customerId: z.uuid(), limit: z.number().int().min(1).max(200).default(50) }))
  .query(({ ctx, input }) => listAuditForObject(ctx.db, "customer", input.customerId, input.limit));
