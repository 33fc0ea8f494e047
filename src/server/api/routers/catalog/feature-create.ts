import { createFeature, createFeatureInputSchema } from "@/server/catalog/create-feature";
import { authorizedProcedure } from "../../trpc";
import { optionalReason } from "./reason";

export const featureCreate = authorizedProcedure("catalog.write")
  .input(createFeatureInputSchema.extend({ reason: optionalReason }))
  .mutation(({ ctx, input: { reason, ...input } }) => createFeature(ctx.db, { actor: ctx.actor, reason }, input));
