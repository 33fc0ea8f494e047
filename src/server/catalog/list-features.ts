import { asc, ilike, or } from "drizzle-orm";
import type { Db } from "@/db/client";
import { features, type Feature } from "@/db/schema";
import { catalogListMax, searchPattern } from "./list-meters";

/** `search`: part of the key or name, any case. */
export async function listFeatures(db: Db, options: { search?: string } = {}): Promise<Feature[]> {
  const pattern = searchPattern(options.search);
  return db
    .select()
    .from(features)
    .where(pattern ? or(ilike(features.key, pattern), ilike(features.name, pattern)) : undefined)
    .orderBy(asc(features.key))
    .limit(catalogListMax);
}
