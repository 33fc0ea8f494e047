import { asc } from "drizzle-orm";
import type { Db } from "@/db/client";
import { products, type Product } from "@/db/schema";
import { catalogListMax } from "./list-meters";

export async function listProducts(db: Db): Promise<Product[]> {
  return db.select().from(products).orderBy(asc(products.key)).limit(catalogListMax);
}
