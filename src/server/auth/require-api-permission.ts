import { can, type Permission } from "@/server/api/permissions";
import type { SessionUser } from "@/server/api/trpc";
import { getSessionUser } from "./session";

/** For console route handlers (exports): the signed-in user if their role allows, else an error response. */
export async function requireSessionPermission(permission: Permission): Promise<SessionUser | Response> {
  const user = await getSessionUser();
  if (!user) return Response.json({ error: { code: "unauthorized", message: "Sign in to continue." } }, { status: 401 });
  if (!can(user.role, permission)) {
    return Response.json(
      { error: { code: "forbidden", message: `Your role (${user.role}) does not allow this (needs ${permission}).` } },
      { status: 403 },
    );
  }
  return user;
}
