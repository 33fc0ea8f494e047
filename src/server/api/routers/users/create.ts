import { z } from "zod";
import { roles } from "@/db/schema";
import { createUser } from "@/server/users/save-user";
import { authorizedProcedure } from "../../trpc";

export const create = authorizedProcedure("users.manage")
  .input(
    z.object({
      email: z.email().max(320),
      name: z.string().trim().min(1).max(200),
      role: z.enum(roles),
      password: z.string().min(10, "Use at least 10 characters.").max(200).optional(),
    }),
  )
  .mutation(({ ctx, input }) => createUser(ctx.db, ctx.actor, input));
