import { and, desc, isNull, lt, or, eq, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { apiKeys } from "@/db/schema";
import { toApiKeySummary, type ApiKeySummary } from "./api-key-view";

export const listApiKeysInput = z.object({
  includeRevoked: z.boolean().default(false),
  limit: z.number().int().min(1).max(200).default(50),
  /** The `nextCursor` of the previous page. */
  cursor: z.object({ createdAt: z.coerce.date(), id: z.uuid() }).optional(),
});

export type ListApiKeysInput = z.input<typeof listApiKeysInput>;
export type ListApiKeysResult = { items: ApiKeySummary[]; nextCursor: { createdAt: Date; id: string } | null };

/** Newest first. */
export async function listApiKeys(db: Db, input: ListApiKeysInput = {}): Promise<ListApiKeysResult> {
  const parsed = listApiKeysInput.parse(input);
  const conditions: SQL[] = [];
  if (!parsed.includeRevoked) conditions.push(isNull(apiKeys.revokedAt));
  if (parsed.cursor) {
    const { createdAt, id } = parsed.cursor;
    const after = or(lt(apiKeys.createdAt, createdAt), and(eq(apiKeys.createdAt, createdAt), lt(apiKeys.id, id)));
    if (after) conditions.push(after);
  }
  const rows = await db
    .select()
    .from(apiKeys)
    .where(and(...conditions))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
    .limit(parsed.limit + 1);
  const items = rows.slice(0, parsed.limit).map(toApiKeySummary);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > parsed.limit && last ? { createdAt: last.createdAt, id: last.id } : null,
  };
}
