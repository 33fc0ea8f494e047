import bcrypt from "bcryptjs";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";
import { demoPassword, demoUsers } from "./demo-users";

/** Idempotent: demo users keep whatever role an admin gave them since. */
export async function seedUsers(db: Db): Promise<number> {
  const passwordHash = await bcrypt.hash(demoPassword, 10);
  await db
    .insert(users)
    .values(demoUsers.map((user) => ({ ...user, passwordHash })))
    .onConflictDoNothing({ target: users.email });
  return demoUsers.length;
}
