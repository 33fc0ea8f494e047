import { z } from "zod";
import { roles } from "@/db/schema";
import { updateUser } from "@/server/users/save-user";
import { authorizedProcedure } from "../../trpc";

export const update = authorizedProcedure("users.manage")
  .input(
    z.object({
      userId: z.uuid(),
      role: z.enum(roles).optional(),
      disabled: z.boolean().optional(),
      reason: z.string().trim().min(3, "Say why (at least 3 characters).").max(500),
    }),
  )
  .mutation(({ ctx, input }) => updateUser(ctx.db, ctx.actor, input));
