import "server-only";
import { forbidden, redirect } from "next/navigation";
import { can, type Permission } from "@/server/api/permissions";
import type { SessionUser } from "@/server/api/trpc";
import { getSessionUser } from "@/server/auth/session";

/** For pages: signed out → sign-in; signed in without the permission → 403 page. */
export async function requirePermission(permission: Permission): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect("/sign-in");
  if (!can(user.role, permission)) forbidden();
  return user;
}
