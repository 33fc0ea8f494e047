import { and, eq, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";
import { apiKeys, users, type ApiKeyScope } from "@/db/schema";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import type { ApiKeySummary } from "./api-key-view";
import { escapeLike } from "@/server/lib/like-pattern";

export const apiKeySortKeys = ["created", "name"] as const;
export type ApiKeySortKey = (typeof apiKeySortKeys)[number];
export const apiKeyStatuses = ["active", "revoked"] as const;

export type ListApiKeysViewInput = {
  /** Part of the name, or the start of the prefix (`tly_live_AbCd`). */
  search?: string;
  status?: (typeof apiKeyStatuses)[number];
  scope?: ApiKeyScope;
  /** Default `created` descending (newest first). */
  sort?: ApiKeySortKey;
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

/** A key with the console users who created and revoked it named by email (an id that is not a user stays as it is). */
export type ApiKeyRow = ApiKeySummary & { createdByLabel: string; revokedByLabel: string | null };

const rowsMax = 1000;

const sorts: Record<ApiKeySortKey, KeysetSort> = {
  created: { expression: sql`${apiKeys.createdAt}`, type: "timestamptz" },
  name: { expression: sql`lower(${apiKeys.name})`, type: "text" },
};

const creator = alias(users, "creator");
const revoker = alias(users, "revoker");

/** The console's API keys: newest first or by name, filtered by status, scope and name or prefix, keyset-paged on `(sort, id)`. */
export async function listApiKeysView(db: Db, input: ListApiKeysViewInput): Promise<{ items: ApiKeyRow[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  const sortKey = input.sort ?? "created";
  const direction = input.direction ?? (input.sort ? "asc" : "desc");
  const plan = keysetPlan({ sortKey, sort: sorts[sortKey], direction, id: sql`${apiKeys.id}`, idType: "uuid", cursor: input.cursor });
  const filters: SQL[] = [];
  const search = input.search?.trim();
  if (search) filters.push(sql`(${apiKeys.name} ilike ${`%${escapeLike(search)}%`} or ${apiKeys.prefix} like ${`${escapeLike(search.replace(/…$/, ""))}%`})`);
  if (input.status === "active") filters.push(sql`${apiKeys.revokedAt} is null`);
  if (input.status === "revoked") filters.push(sql`${apiKeys.revokedAt} is not null`);
  if (input.scope) filters.push(sql`${input.scope} = any(${apiKeys.scopes})`);
  if (plan.where) filters.push(plan.where);
  const rows = await db
    .select({
      key: apiKeys,
      creatorEmail: creator.email,
      revokerEmail: revoker.email,
      cursorValue: sql<string>`(${sorts[sortKey].expression})::text`,
    })
    .from(apiKeys)
    .leftJoin(creator, eq(sql`${creator.id}::text`, apiKeys.createdBy))
    .leftJoin(revoker, eq(sql`${revoker.id}::text`, apiKeys.revokedBy))
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursorValue, id: row.key.id }) });
  const items = page.items.map(({ key, creatorEmail, revokerEmail }) => ({
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    createdBy: key.createdBy,
    createdAt: key.createdAt,
    revokedAt: key.revokedAt,
    revokedBy: key.revokedBy,
    createdByLabel: creatorEmail ?? key.createdBy,
    revokedByLabel: key.revokedBy === null ? null : (revokerEmail ?? key.revokedBy),
  }));
  return { items, nextCursor: page.nextCursor };
}
