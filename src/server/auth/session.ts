import { getServerSession } from "next-auth";
import { getDb } from "@/db/client";
import type { SessionUser } from "@/server/api/trpc";
import { getSessionHolder } from "@/server/users/session-version";
import { authOptions } from "./options";

/**
 * The signed-in user as the database has them now (role, disabled), or null. The JWT only
 * says who they are and which session version it was issued under; what they may do is always
 * read fresh, and a cookie from before a sign-out is no longer anyone's.
 */
export async function getSessionUser(): Promise<SessionUser | null> {
  const session = (await getServerSession(authOptions)) as { userId?: string; sessionVersion?: number } | null;
  if (!session?.userId) return null;
  const user = await getSessionHolder(await getDb(), { userId: session.userId, sessionVersion: session.sessionVersion });
  if (!user) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
