import { z } from "zod";
import { listAuditEntries } from "@/server/audit/list-audit-entries";
import { authorizedProcedure } from "../../trpc";

export const list = authorizedProcedure("audit.read")
  .input(
    z.object({
      actorId: z.string().max(200).optional(),
      action: z.string().max(200).optional(),
      objectType: z.string().max(100).optional(),
      objectId: z.string().max(200).optional(),
      from: z.date().optional(),
      to: z.date().optional(),
      cursor: z.string().max(40).optional(),
      limit: z.number().int().min(1).max(200).default(50),
    }),
  )
  .query(({ ctx, input }) => listAuditEntries(ctx.db, input));
