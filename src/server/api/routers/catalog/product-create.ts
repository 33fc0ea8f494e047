import { createProduct, createProductInputSchema } from "@/server/catalog/create-product";
import { authorizedProcedure } from "../../trpc";
import { optionalReason } from "./reason";

export const productCreate = authorizedProcedure("catalog.write")
  .input(createProductInputSchema.extend({ reason: optionalReason }))
  .mutation(({ ctx, input: { reason, ...input } }) => createProduct(ctx.db, { actor: ctx.actor, reason }, input));
