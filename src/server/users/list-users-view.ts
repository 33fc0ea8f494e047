import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { users } from "@/db/schema";
import type { Role } from "@/db/schema/roles";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import type { ListedUser } from "./list-users";
import { escapeLike } from "@/server/lib/like-pattern";

export const userSortKeys = ["email", "name", "created"] as const;
export type UserSortKey = (typeof userSortKeys)[number];
export const userStatuses = ["active", "disabled"] as const;

export type ListUsersViewInput = {
  /** Part of the name or email, any case. */
  search?: string;
  role?: Role;
  status?: (typeof userStatuses)[number];
  /** Default `email` ascending. */
  sort?: UserSortKey;
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

const rowsMax = 1000;

const sorts: Record<UserSortKey, KeysetSort> = {
  email: { expression: sql`${users.email}`, type: "text" },
  name: { expression: sql`lower(${users.name})`, type: "text" },
  created: { expression: sql`${users.createdAt}`, type: "timestamptz" },
};

/** The console's users: by email, name or sign-up, filtered by role, status and a part of name or email, keyset-paged on `(sort, id)`. */
export async function listUsersView(db: Db, input: ListUsersViewInput): Promise<{ items: ListedUser[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  const sortKey = input.sort ?? "email";
  const direction = input.direction ?? "asc";
  const plan = keysetPlan({ sortKey, sort: sorts[sortKey], direction, id: sql`${users.id}`, idType: "uuid", cursor: input.cursor });
  const filters: SQL[] = [];
  const search = input.search?.trim();
  if (search) filters.push(sql`(${users.email} ilike ${`%${escapeLike(search)}%`} or ${users.name} ilike ${`%${escapeLike(search)}%`})`);
  if (input.role) filters.push(eq(users.role, input.role));
  if (input.status) filters.push(eq(users.disabled, input.status === "disabled"));
  if (plan.where) filters.push(plan.where);
  const rows = await db
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      role: users.role,
      disabled: users.disabled,
      createdAt: users.createdAt,
      cursorValue: sql<string>`(${sorts[sortKey].expression})::text`,
    })
    .from(users)
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursorValue, id: row.id }) });
  return { items: page.items.map(({ cursorValue: _cursorValue, ...row }) => row), nextCursor: page.nextCursor };
}
