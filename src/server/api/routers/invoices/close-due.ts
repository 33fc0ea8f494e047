import { z } from "zod";
import { recordAudit } from "@/server/audit/record-audit";
import { closeDuePeriods } from "@/server/invoicing/close-due-periods";
import { authorizedProcedure } from "../../trpc";

/**
 * Finance's "close due periods now": the same idempotent close as the hourly job, as the signed-in
 * person (each batch's audit entry names them). Bounded by the job's own pages and batches.
 */
export const closeDue = authorizedProcedure("billing.close")
  .input(z.object({ reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(500) }))
  .mutation(async ({ ctx, input }) => {
    const until = ctx.clock.now();
    await ctx.db.transaction((tx) =>
      recordAudit(tx, { actor: ctx.actor, action: "invoice.close_due", objectType: "invoice", objectId: until.toISOString(), reason: input.reason }),
    );
    const result = await closeDuePeriods(ctx.db, { until }, { clock: ctx.clock, actor: ctx.actor });
    return { until, created: result.created, exists: result.exists, failed: result.failed.length, subscriptionsScanned: result.subscriptionsScanned, totalMicros: result.totalMicros.toString() };
  });
