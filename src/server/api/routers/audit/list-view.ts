import { z } from "zod";
import { listAuditFilterValues, listAuditView } from "@/server/audit/list-audit-view";
import { auditView } from "../../lists/registry";
import { authorizedProcedure } from "../../trpc";

/** The console's audit log view (the export reads the same view). */
export const listView = authorizedProcedure("audit.read")
  .input(auditView.extend({ limit: z.number().int().min(1).max(200).default(50) }))
  .query(({ ctx, input }) => listAuditView(ctx.db, input));

export const filterValues = authorizedProcedure("audit.read").query(({ ctx }) => listAuditFilterValues(ctx.db));
