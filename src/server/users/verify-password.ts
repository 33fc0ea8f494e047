import bcrypt from "bcryptjs";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users, type User } from "@/db/schema";

/** The cost every stored hash is made with (createUser, seedUsers). */
const bcryptCost = 10;
let dummyHash: Promise<string> | undefined;

/**
 * The credentials provider's check: a known, enabled user whose password matches. An unknown
 * email, a disabled user or one without a password costs the same bcrypt comparison (against a
 * hash of a random value, made once per process with the same cost), so the time taken does not
 * tell an attacker which emails have accounts.
 */
export async function verifyPassword(db: Db, email: string, password: string): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).limit(1);
  if (!user || user.disabled || !user.passwordHash) {
    dummyHash ??= bcrypt.hash(crypto.randomUUID(), bcryptCost);
    await bcrypt.compare(password, await dummyHash);
    return undefined;
  }
  return (await bcrypt.compare(password, user.passwordHash)) ? user : undefined;
}
