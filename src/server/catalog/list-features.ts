import { asc } from "drizzle-orm";
import type { Db } from "@/db/client";
import { features, type Feature } from "@/db/schema";
import { catalogListMax } from "./list-meters";

export async function listFeatures(db: Db): Promise<Feature[]> {
  return db.select().from(features).orderBy(asc(features.key)).limit(catalogListMax);
}
