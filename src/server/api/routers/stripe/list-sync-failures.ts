import { z } from "zod";
import { listSyncFailures, syncFailuresPageMax } from "@/server/stripe/list-sync-failures";
import { authorizedProcedure } from "../../trpc";

export const listSyncFailuresProcedure = authorizedProcedure("stripe.admin")
  .input(z.object({ limit: z.number().int().min(1).max(syncFailuresPageMax).default(50) }))
  .query(({ ctx, input }) => listSyncFailures(ctx.db, input.limit));
