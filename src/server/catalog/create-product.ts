import { z } from "zod";
import type { Db } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import { products, type Product } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { recordCatalogAudit, type CatalogMutationContext } from "./catalog-audit";
import { catalogKeySchema, descriptionSchema, nameSchema } from "./catalog-schemas";
import { parseInput } from "./parse-input";

export const createProductInputSchema = z.object({
  key: catalogKeySchema,
  name: nameSchema,
  description: descriptionSchema,
});
export type CreateProductInput = z.input<typeof createProductInputSchema>;

export async function createProduct(db: Db, context: CatalogMutationContext, input: CreateProductInput): Promise<Product> {
  const values = parseInput(createProductInputSchema, input);
  try {
    return await db.transaction(async (tx) => {
      const [product] = await tx.insert(products).values(values).returning();
      if (!product) throw new Error("insert returned no product");
      await recordCatalogAudit(tx, context, { action: "catalog.product.create", objectType: "product", objectId: product.id, after: product });
      return product;
    });
  } catch (error) {
    if (isUniqueViolation(error, "catalog_products_key_unique")) {
      throw new DomainError("conflict", "product_key_taken", `A product with key "${values.key}" already exists; pick another key.`);
    }
    throw error;
  }
}
