import { z } from "zod";
import { previewUnbilledUsage } from "@/server/invoicing/preview-unbilled-usage";
import { authorizedProcedure } from "../../trpc";

/** What the current period would bill for usage so far (computed, not persisted). */
export const previewUnbilled = authorizedProcedure("billing.read")
  .input(z.object({ customerId: z.uuid() }))
  .query(({ ctx, input }) => previewUnbilledUsage(ctx.db, input, { clock: ctx.clock }));
