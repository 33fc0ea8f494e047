import { asc, ilike, or } from "drizzle-orm";
import type { Db } from "@/db/client";
import { meters, type Meter } from "@/db/schema";

/** The catalog's building blocks are few (tens to hundreds), so their lists are bounded, not paged. */
export const catalogListMax = 1_000;

/** `search`: part of the key or name, any case (the console's pickers search as you type). */
export async function listMeters(db: Db, options: { search?: string } = {}): Promise<Meter[]> {
  const pattern = searchPattern(options.search);
  return db
    .select()
    .from(meters)
    .where(pattern ? or(ilike(meters.key, pattern), ilike(meters.name, pattern)) : undefined)
    .orderBy(asc(meters.key))
    .limit(catalogListMax);
}

/** `%text%` for ILIKE with `%`, `_` and `\` taken literally; undefined for no search. */
export function searchPattern(search: string | undefined): string | undefined {
  const text = search?.trim();
  return text ? `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%` : undefined;
}
