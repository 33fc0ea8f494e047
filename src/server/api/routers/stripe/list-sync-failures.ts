import { z } from "zod";
import { listSyncFailureKinds, listSyncFailuresView } from "@/server/stripe/list-sync-failures-view";
import { syncFailuresView } from "../../lists/webhook-lists";
import { authorizedProcedure } from "../../trpc";

/** The console's view of the outbound writes Stripe refused (the export reads the same view). */
export const listSyncFailuresViewProcedure = authorizedProcedure("stripe.admin")
  .input(syncFailuresView.extend({ limit: z.number().int().min(1).max(200).default(50) }))
  .query(({ ctx, input }) => listSyncFailuresView(ctx.db, input));

export const syncFailureKinds = authorizedProcedure("stripe.admin").query(({ ctx }) => listSyncFailureKinds(ctx.db));
