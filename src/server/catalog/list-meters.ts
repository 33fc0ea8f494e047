import { asc } from "drizzle-orm";
import type { Db } from "@/db/client";
import { meters, type Meter } from "@/db/schema";

/** The catalog's building blocks are few (tens to hundreds), so their lists are bounded, not paged. */
export const catalogListMax = 1_000;

export async function listMeters(db: Db): Promise<Meter[]> {
  return db.select().from(meters).orderBy(asc(meters.key)).limit(catalogListMax);
}
