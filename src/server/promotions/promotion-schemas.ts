import { z } from "zod";

export const promotionLimits = {
  nameLengthMax: 120,
  descriptionLengthMax: 1000,
  keysMax: 50,
  generatedCodesPerCallMax: 10_000,
  codesPageMax: 500,
  periodsMax: 36,
  expiryDaysMax: 3650,
  /** One promotional credit: at most $100,000. */
  creditMicrosMax: 100_000_000_000n,
} as const;

const key = z.string().trim().min(1).max(100);
const micros = z.string().regex(/^[1-9]\d{0,14}$/, "Give a whole, positive number of micro-units.");
const quantity = z.string().regex(/^(?!0+(\.0+)?$)\d{1,15}(\.\d{1,12})?$/, "Give a positive decimal quantity.");

/** Codes are plain, upper case: letters, digits, `-` and `_`, 3–40 characters. */
export const promotionCodeSchema = z
  .string()
  .trim()
  .transform((value) => value.toUpperCase())
  .pipe(z.string().regex(/^[A-Z0-9][A-Z0-9_-]{2,39}$/, "A code has 3–40 letters, digits, - or _."));

export const promotionEffectSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("credit"),
    amountMicros: micros.refine((value) => BigInt(value) <= promotionLimits.creditMicrosMax, "At most $100,000 per credit."),
    currency: z.string().regex(/^[a-z]{3}$/).default("usd"),
    expiryDays: z.number().int().min(1).max(promotionLimits.expiryDaysMax).nullable(),
  }),
  z
    .object({
      type: z.literal("discount"),
      productKey: key,
      percentBasisPoints: z.number().int().min(1).max(10_000).nullable(),
      fixedMicros: micros.nullable(),
      currency: z.string().regex(/^[a-z]{3}$/).default("usd"),
      periods: z.number().int().min(1).max(promotionLimits.periodsMax),
    })
    .refine((effect) => (effect.percentBasisPoints === null) !== (effect.fixedMicros === null), "Give either a percentage or a fixed amount."),
  z.object({
    type: z.literal("allowance"),
    featureKey: key,
    meterKey: key,
    quantityPerPeriod: quantity,
    periods: z.number().int().min(1).max(promotionLimits.periodsMax),
  }),
]);

export const promotionEligibilitySchema = z.object({
  newCustomerWithinDays: z.number().int().min(1).max(3650).nullable().default(null),
  planKeys: z.array(key).max(promotionLimits.keysMax).default([]),
  productKeys: z.array(key).max(promotionLimits.keysMax).default([]),
});

const promotionFields = {
  name: z.string().trim().min(2).max(promotionLimits.nameLengthMax),
  description: z.string().trim().max(promotionLimits.descriptionLengthMax).default(""),
  startsAt: z.date(),
  endsAt: z.date().nullable().default(null),
  eligibility: promotionEligibilitySchema.default({ newCustomerWithinDays: null, planKeys: [], productKeys: [] }),
  effect: promotionEffectSchema,
  maxRedemptions: z.number().int().min(1).max(100_000_000).nullable().default(null),
  maxRedemptionsPerCustomer: z.number().int().min(1).max(1000).default(1),
};

export const createPromotionSchema = z
  .object({ ...promotionFields, sharedCode: promotionCodeSchema.nullable().default(null) })
  .refine((value) => value.endsAt === null || value.endsAt > value.startsAt, { message: "The end must be after the start.", path: ["endsAt"] });
export type CreatePromotionInput = z.input<typeof createPromotionSchema>;

export const updatePromotionSchema = z
  .object({ promotionId: z.uuid(), ...promotionFields, reason: z.string().trim().max(500).default("") })
  .refine((value) => value.endsAt === null || value.endsAt > value.startsAt, { message: "The end must be after the start.", path: ["endsAt"] });
export type UpdatePromotionInput = z.input<typeof updatePromotionSchema>;
