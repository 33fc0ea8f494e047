import { z } from "zod";
import { billingIntervals, featureKinds, meterAggregations } from "@/db/schema";
import { decimalStringSchema, priceSchema } from "@/server/pricing/price-schema";

/** Stable identifiers used by code, events and Stripe metadata: lower snake case. */
export const catalogKeySchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_]*$/, "Use lower-case letters, digits and underscores, starting with a letter");

export const nameSchema = z.string().trim().min(1).max(200);
export const descriptionSchema = z.string().max(2000).default("");

/** A dotted path into an event's `data`, e.g. `tokens` or `usage.input_tokens`. */
export const propertyPathSchema = z
  .string()
  .max(200)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, "Use a dotted property path such as usage.input_tokens");

export const meterFilterSchema = z.discriminatedUnion("operator", [
  z.object({ property: propertyPathSchema, operator: z.enum(["equals", "not_equals"]), value: z.string().max(200) }),
  z.object({
    property: propertyPathSchema,
    operator: z.enum(["in", "not_in"]),
    values: z.array(z.string().max(200)).min(1).max(100),
  }),
]);

export const entitlementSchema = z.discriminatedUnion("kind", [
  z.object({ featureKey: catalogKeySchema, kind: z.literal("boolean"), enabled: z.boolean() }),
  z.object({
    featureKey: catalogKeySchema,
    kind: z.literal("config"),
    value: z.union([z.string().max(1000), z.number(), z.boolean()]),
  }),
  z.object({
    featureKey: catalogKeySchema,
    kind: z.literal("metered"),
    meterKey: catalogKeySchema,
    allowancePerPeriod: decimalStringSchema.nullable(),
    overage: z.enum(["bill", "block"]),
  }),
]);

export const usagePriceSchema = z.object({ meterKey: catalogKeySchema, price: priceSchema });

export const currencySchema = z
  .string()
  .regex(/^[a-z]{3}$/, "Use a lower-case ISO 4217 code such as usd");

/** Micro-units crossing JSON as a string (or a bigint from code). */
export const microsSchema = z
  .union([z.string().regex(/^(0|[1-9][0-9]{0,17})$/, "Whole micro-units as a string"), z.bigint()])
  .transform((value) => BigInt(value))
  .refine((value) => value >= 0n, "Must not be negative");

/** The editable terms of a plan version (a draft). */
export const planVersionTermsSchema = z.object({
  currency: currencySchema,
  billingInterval: z.enum(billingIntervals),
  baseFeePerSeatMicros: microsSchema,
  trialDays: z.number().int().min(0).max(365),
  entitlements: z.array(entitlementSchema).max(200),
  usagePrices: z.array(usagePriceSchema).max(100),
});
export type PlanVersionTerms = z.output<typeof planVersionTermsSchema>;
export type PlanVersionTermsInput = z.input<typeof planVersionTermsSchema>;

export { featureKinds, meterAggregations };
