import { z } from "zod";
import { listCreditRequests } from "@/server/grants/list-credit-requests";
import { authorizedProcedure } from "../../trpc";

/** A customer's credit requests still waiting for approval (shown on the customer page). */
export const customerRequests = authorizedProcedure("grants.read")
  .input(z.object({ customerId: z.uuid() }))
  .query(({ ctx, input }) => listCreditRequests(ctx.db, { status: "pending", customerId: input.customerId, limit: 50 }));
