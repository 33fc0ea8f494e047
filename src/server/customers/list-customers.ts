import { and, asc, eq, gt, ilike, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, type CustomerKind } from "@/db/schema";

export type ListCustomersInput = {
  /** Matches name, email or external id, case-insensitively, anywhere in the text. */
  search?: string;
  kind?: CustomerKind;
  /** Opaque cursor from the previous page (`nextCursor`). */
  cursor?: string;
  limit: number;
};

export type ListedCustomer = {
  id: string;
  externalId: string;
  name: string;
  email: string;
  kind: CustomerKind;
  createdAt: Date;
};

export type ListCustomersResult = { items: ListedCustomer[]; nextCursor: string | null };

const limitMax = 100;

/** Keyset pagination on (lower(name), id): stable under inserts, no OFFSET scans. */
export async function listCustomers(db: Db, input: ListCustomersInput): Promise<ListCustomersResult> {
  const limit = Math.min(Math.max(1, input.limit), limitMax);
  const filters: SQL[] = [];
  const search = input.search?.trim();
  if (search) {
    const pattern = `%${escapeLike(search)}%`;
    const match = or(ilike(customers.name, pattern), ilike(customers.email, pattern), ilike(customers.externalId, pattern));
    if (match) filters.push(match);
  }
  if (input.kind) filters.push(eq(customers.kind, input.kind));
  const after = input.cursor ? decodeCursor(input.cursor) : undefined;
  if (after) {
    const keyset = or(
      gt(sql`lower(${customers.name})`, after.name),
      and(eq(sql`lower(${customers.name})`, after.name), gt(customers.id, after.id)),
    );
    if (keyset) filters.push(keyset);
  }
  const rows = await db
    .select({
      id: customers.id,
      externalId: customers.externalId,
      name: customers.name,
      email: customers.email,
      kind: customers.kind,
      createdAt: customers.createdAt,
    })
    .from(customers)
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(asc(sql`lower(${customers.name})`), asc(customers.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor({ name: last.name.toLowerCase(), id: last.id }) : null,
  };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

type Cursor = { name: string; id: string };

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

function decodeCursor(value: string): Cursor | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as Partial<Cursor>;
    return typeof parsed.name === "string" && typeof parsed.id === "string" ? { name: parsed.name, id: parsed.id } : undefined;
  } catch {
    return undefined;
  }
}
