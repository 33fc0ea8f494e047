import { listUsers } from "@/server/users/list-users";
import { authorizedProcedure } from "../../trpc";

export const list = authorizedProcedure("users.manage").query(({ ctx }) => listUsers(ctx.db));
