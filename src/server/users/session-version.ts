import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users, type User } from "@/db/schema";
import { getUserById } from "./get-user";

/**
 * Ends every session of `userId` issued so far (sign-out): their cookies carry the old version,
 * which no longer matches. Returns the new version.
 */
export async function revokeSessions(db: Db, userId: string): Promise<number | undefined> {
  const [row] = await db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1`, updatedAt: sql`now()` })
    .where(eq(users.id, userId))
    .returning({ sessionVersion: users.sessionVersion });
  return row?.sessionVersion;
}

/**
 * The user a session cookie stands for, read fresh (role, disabled, session version), or
 * undefined when the user is gone, disabled, or signed out since the cookie was issued. A cookie
 * from before session versions existed counts as version 0.
 */
export async function getSessionHolder(db: Db, session: { userId: string; sessionVersion: number | undefined }): Promise<User | undefined> {
  const user = await getUserById(db, session.userId);
  if (!user || user.disabled) return undefined;
  return user.sessionVersion === (session.sessionVersion ?? 0) ? user : undefined;
}
