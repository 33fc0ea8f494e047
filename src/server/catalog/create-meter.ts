import { z } from "zod";
import type { Db } from "@/db/client";
import { isUniqueViolation, postgresError, postgresErrorCodes } from "@/db/errors";
import { meterAggregations, meters, type Meter } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { recordCatalogAudit, type CatalogMutationContext } from "./catalog-audit";
import { catalogKeySchema, meterFilterSchema, nameSchema, propertyPathSchema } from "./catalog-schemas";
import { parseInput } from "./parse-input";

export const createMeterInputSchema = z
  .object({
    key: catalogKeySchema,
    name: nameSchema,
    productId: z.uuid().nullable().default(null),
    /** The CloudEvents `type` the meter reads, e.g. `agent.llm.completion`. */
    eventType: z.string().min(1).max(200),
    aggregation: z.enum(meterAggregations),
    /** Property the aggregation reads; omitted for `count`. */
    valuePath: propertyPathSchema.nullable().default(null),
    filters: z.array(meterFilterSchema).max(20).default([]),
    groupBy: z.array(propertyPathSchema).max(5).default([]),
    unit: z.string().min(1).max(50).default("unit"),
  })
  .superRefine((meter, context) => {
    if (meter.aggregation === "count" && meter.valuePath !== null) {
      context.addIssue({ code: "custom", path: ["valuePath"], message: "A count meter counts events; remove the property path." });
    }
    if (meter.aggregation !== "count" && meter.valuePath === null) {
      context.addIssue({ code: "custom", path: ["valuePath"], message: `A ${meter.aggregation} meter needs the property it reads.` });
    }
    if (new Set(meter.groupBy).size !== meter.groupBy.length) {
      context.addIssue({ code: "custom", path: ["groupBy"], message: "Each group-by dimension may appear once." });
    }
  });
export type CreateMeterInput = z.input<typeof createMeterInputSchema>;

/** Meters are append-only for now: changing how usage is counted would rewrite past bills. */
export async function createMeter(db: Db, context: CatalogMutationContext, input: CreateMeterInput): Promise<Meter> {
  const values = parseInput(createMeterInputSchema, input);
  try {
    return await db.transaction(async (tx) => {
      const [meter] = await tx.insert(meters).values(values).returning();
      if (!meter) throw new Error("insert returned no meter");
      await recordCatalogAudit(tx, context, { action: "catalog.meter.create", objectType: "meter", objectId: meter.id, after: meter });
      return meter;
    });
  } catch (error) {
    if (isUniqueViolation(error, "catalog_meters_key_unique")) {
      throw new DomainError("conflict", "meter_key_taken", `A meter with key "${values.key}" already exists; pick another key.`);
    }
    if (postgresError(error)?.code === postgresErrorCodes.foreignKeyViolation) {
      throw new DomainError("not_found", "product_not_found", "The product does not exist.");
    }
    throw error;
  }
}
