import { z } from "zod";
import { listCreditRequestsView } from "@/server/grants/list-credit-requests-view";
import { creditRequestsView } from "../../lists/credit-request-lists";
import { authorizedProcedure } from "../../trpc";

/** The approvers' queue (pending, oldest first) or past decisions, paged (the export reads the same view). */
export const requests = authorizedProcedure("grants.approve")
  .input(creditRequestsView.extend({ limit: z.number().int().min(1).max(200).default(50) }))
  .query(({ ctx, input }) => listCreditRequestsView(ctx.db, input));
