import { z } from "zod";
import { listApiKeys } from "@/server/api-keys/list-api-keys";
import { listUsers } from "@/server/users/list-users";
import { authorizedProcedure } from "../../trpc";

/** Newest first; `createdByLabel` / `revokedByLabel` name the console user (email) instead of an id. */
export const list = authorizedProcedure("apiKeys.manage")
  .input(
    z
      .object({
        includeRevoked: z.boolean().default(true),
        limit: z.number().int().min(1).max(200).default(100),
        cursor: z.object({ createdAt: z.coerce.date(), id: z.uuid() }).optional(),
      })
      .default({ includeRevoked: true, limit: 100 }),
  )
  .query(async ({ ctx, input }) => {
    const [page, users] = await Promise.all([listApiKeys(ctx.db, input), listUsers(ctx.db)]);
    const emailById = new Map(users.map((user) => [user.id, user.email]));
    const label = (id: string | null) => (id === null ? null : (emailById.get(id) ?? id));
    return {
      items: page.items.map((key) => ({ ...key, createdByLabel: label(key.createdBy)!, revokedByLabel: label(key.revokedBy) })),
      nextCursor: page.nextCursor,
    };
  });
