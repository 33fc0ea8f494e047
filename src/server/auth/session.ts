import { getServerSession } from "next-auth";
import { getDb } from "@/db/client";
import type { SessionUser } from "@/server/api/trpc";
import { getUserById } from "@/server/users/get-user";
import { authOptions } from "./options";

/**
 * The signed-in user as the database has them now (role, disabled), or null. The JWT only
 * says who they are; what they may do is always read fresh.
 */
export async function getSessionUser(): Promise<SessionUser | null> {
  const session = (await getServerSession(authOptions)) as { userId?: string } | null;
  if (!session?.userId) return null;
  const user = await getUserById(await getDb(), session.userId);
  if (!user || user.disabled) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
