import { z } from "zod";
import { creditRequestStatuses } from "@/db/schema";
import { listCreditRequests } from "@/server/grants/list-credit-requests";
import { authorizedProcedure } from "../../trpc";

/** The approvers' queue (pending, oldest first) or past decisions. */
export const requests = authorizedProcedure("grants.approve")
  .input(z.object({ status: z.enum(creditRequestStatuses).default("pending"), limit: z.number().int().min(1).max(200).default(100) }))
  .query(({ ctx, input }) => listCreditRequests(ctx.db, input));
