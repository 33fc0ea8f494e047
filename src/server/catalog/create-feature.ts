import { z } from "zod";
import type { Db } from "@/db/client";
import { isUniqueViolation, postgresError, postgresErrorCodes } from "@/db/errors";
import { featureKinds, features, type Feature } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { recordCatalogAudit, type CatalogMutationContext } from "./catalog-audit";
import { catalogKeySchema, descriptionSchema, nameSchema } from "./catalog-schemas";
import { parseInput } from "./parse-input";

export const createFeatureInputSchema = z.object({
  key: catalogKeySchema,
  name: nameSchema,
  kind: z.enum(featureKinds),
  productId: z.uuid().nullable().default(null),
  description: descriptionSchema,
});
export type CreateFeatureInput = z.input<typeof createFeatureInputSchema>;

export async function createFeature(db: Db, context: CatalogMutationContext, input: CreateFeatureInput): Promise<Feature> {
  const values = parseInput(createFeatureInputSchema, input);
  try {
    return await db.transaction(async (tx) => {
      const [feature] = await tx.insert(features).values(values).returning();
      if (!feature) throw new Error("insert returned no feature");
      await recordCatalogAudit(tx, context, { action: "catalog.feature.create", objectType: "feature", objectId: feature.id, after: feature });
      return feature;
    });
  } catch (error) {
    if (isUniqueViolation(error, "catalog_features_key_unique")) {
      throw new DomainError("conflict", "feature_key_taken", `A feature with key "${values.key}" already exists; pick another key.`);
    }
    if (postgresError(error)?.code === postgresErrorCodes.foreignKeyViolation) {
      throw new DomainError("not_found", "product_not_found", "The product does not exist.");
    }
    throw error;
  }
}
