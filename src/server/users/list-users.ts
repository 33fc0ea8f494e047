import { asc } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";

export type ListedUser = { id: string; email: string; name: string; role: string; disabled: boolean; createdAt: Date };

/** Console users are few (tens); the list is bounded rather than paged. */
export async function listUsers(db: Db): Promise<ListedUser[]> {
  return db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      disabled: users.disabled,
      createdAt: users.createdAt,
    })
    .from(users)
    .orderBy(asc(users.email))
    .limit(1000);
}
