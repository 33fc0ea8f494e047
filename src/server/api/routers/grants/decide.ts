import { z } from "zod";
import { decideCreditRequest } from "@/server/grants/decide-credit-request";
import { authorizedProcedure } from "../../trpc";

/** Approve or reject a pending credit request (never one's own). */
export const decide = authorizedProcedure("grants.approve")
  .input(z.object({ creditRequestId: z.uuid(), decision: z.enum(["approve", "reject"]), note: z.string().trim().max(500).default("") }))
  .mutation(({ ctx, input }) => decideCreditRequest(ctx.db, ctx.actor, ctx.clock, input));
