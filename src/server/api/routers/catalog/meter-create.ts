import { createMeter, createMeterInputSchema } from "@/server/catalog/create-meter";
import { authorizedProcedure } from "../../trpc";
import { optionalReason } from "./reason";

export const meterCreate = authorizedProcedure("catalog.write")
  .input(createMeterInputSchema.safeExtend({ reason: optionalReason }))
  .mutation(({ ctx, input: { reason, ...input } }) => createMeter(ctx.db, { actor: ctx.actor, reason }, input));
