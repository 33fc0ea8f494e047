import bcrypt from "bcryptjs";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users, type User } from "@/db/schema";

/** The credentials provider's check: a known, enabled user whose password matches. */
export async function verifyPassword(db: Db, email: string, password: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).limit(1);
  if (!user || user.disabled || !user.passwordHash) return undefined;
  return (await bcrypt.compare(password, user.passwordHash)) ? user : undefined;
}
