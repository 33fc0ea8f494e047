import { z } from "zod";
import { apiKeyScopes } from "@/db/schema";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { authorizedProcedure } from "../../trpc";

/** Returns the secret once (`key`); only its hash is stored. */
export const create = authorizedProcedure("apiKeys.manage")
  .input(
    z.object({
      name: z.string().trim().min(1, "Name the key (who or what uses it).").max(100),
      scopes: z.array(z.enum(apiKeyScopes)).min(1, "Choose at least one scope.").max(apiKeyScopes.length),
      reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(500),
    }),
  )
  .mutation(({ ctx, input }) => createApiKey(ctx.db, { actor: ctx.actor, ...input }));
