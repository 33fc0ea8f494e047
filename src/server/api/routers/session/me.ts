import { permissions, type Permission } from "../../permissions";
import { authorizedProcedure } from "../../trpc";

/** Who is signed in and what their role may do: the UI uses it to hide what it cannot use. */
export const me = authorizedProcedure("session.read").query(({ ctx }) => ({
  user: ctx.user,
  permissions: (Object.keys(permissions) as Permission[]).filter((permission) =>
    (permissions[permission] as readonly string[]).includes(ctx.user.role),
  ),
}));
