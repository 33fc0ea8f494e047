import { z } from "zod";
import type { Db } from "@/db/client";
import { isUniqueViolation } from "@/db/errors";
import { plans, type Plan } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { recordCatalogAudit, type CatalogMutationContext } from "./catalog-audit";
import { catalogKeySchema, descriptionSchema, nameSchema } from "./catalog-schemas";
import { parseInput } from "./parse-input";

export const createPlanInputSchema = z.object({ key: catalogKeySchema, name: nameSchema, description: descriptionSchema });
export type CreatePlanInput = z.input<typeof createPlanInputSchema>;

/** A plan is a name customers recognise; what it costs and grants lives in its versions. */
export async function createPlan(db: Db, context: CatalogMutationContext, input: CreatePlanInput): Promise<Plan> {
  const values = parseInput(createPlanInputSchema, input);
  try {
    return await db.transaction(async (tx) => {
      const [plan] = await tx.insert(plans).values(values).returning();
      if (!plan) throw new Error("insert returned no plan");
      await recordCatalogAudit(tx, context, { action: "catalog.plan.create", objectType: "plan", objectId: plan.id, after: plan });
      return plan;
    });
  } catch (error) {
    if (isUniqueViolation(error, "catalog_plans_key_unique")) {
      throw new DomainError("conflict", "plan_key_taken", `A plan with key "${values.key}" already exists; pick another key.`);
    }
    throw error;
  }
}
