import { z } from "zod";
import { revokeApiKey } from "@/server/api-keys/revoke-api-key";
import { authorizedProcedure } from "../../trpc";

/** Idempotent; this server refuses the key at once, others within the key cache's lifetime. */
export const revoke = authorizedProcedure("apiKeys.manage")
  .input(z.object({ id: z.uuid(), reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(500) }))
  .mutation(({ ctx, input }) => revokeApiKey(ctx.db, { actor: ctx.actor, ...input }));
