import { z } from "zod";
import { customerGrantsView, listCustomerGrantsForView } from "../../lists/grant-lists";
import { authorizedProcedure } from "../../trpc";

/** One customer's credit grants, paged (the export reads the same view). */
export const listView = authorizedProcedure("grants.read")
  .input(customerGrantsView.extend({ limit: z.number().int().min(1).max(200).default(50) }))
  .query(({ ctx, input }) => listCustomerGrantsForView(ctx.db, input, ctx.clock.now()));
