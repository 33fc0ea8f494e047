import { z } from "zod";
import { listUsersView } from "@/server/users/list-users-view";
import { usersView } from "../../lists/admin-lists";
import { authorizedProcedure } from "../../trpc";

/** The console's users view (the export reads the same view). */
export const listView = authorizedProcedure("users.manage")
  .input(usersView.extend({ limit: z.number().int().min(1).max(200).default(50) }))
  .query(({ ctx, input }) => listUsersView(ctx.db, input));
