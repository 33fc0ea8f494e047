import { z } from "zod";

/**
 * Price models as stored in the catalog (jsonb) and edited in the console. These schemas
 * check shape only; `validatePrice` checks meaning (tiers, signs, decimal places) and
 * returns stable codes, so the console can show every problem at once.
 *
 * Units: `unitPrice`, `packagePrice` are decimal strings in major units (USD per unit /
 * per package, up to 12 decimal places). Quantities (`upTo`, `includedQuantity`,
 * `packageSize`) are decimal strings. Flat fees are integer micro-units
 * (1 USD = 1,000,000), carried as strings so they survive JSON; a bigint is accepted on input.
 */

/** Shape of a decimal string; sign and decimal places are checked by `validatePrice`. */
export const decimalStringSchema = z
  .string()
  .max(40)
  .regex(/^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/, "Enter a number such as 0.000002 (digits and one decimal point)");

/** Integer micro-units as a string (a bigint is accepted and turned into its string). */
export const microsStringSchema = z
  .union([z.string().max(30).regex(/^-?(0|[1-9][0-9]*)$/, "Expected whole micro-units as a string"), z.bigint()])
  .transform((value) => (typeof value === "bigint" ? value.toString() : value));

const baseFields = {
  /** Free units subtracted from the quantity before any price applies. Defaults to "0". */
  includedQuantity: decimalStringSchema.default("0"),
};

export const perUnitPriceSchema = z.object({
  model: z.literal("per_unit"),
  unitPrice: decimalStringSchema,
  ...baseFields,
});

export const priceTierSchema = z.object({
  /** Upper bound (inclusive) of the tier, counted from 0 of the billable quantity; null = no bound (last tier only). */
  upTo: decimalStringSchema.nullable(),
  unitPrice: decimalStringSchema,
  flatAmountMicros: microsStringSchema.optional(),
});

const tiersSchema = z.array(priceTierSchema).max(50);

export const graduatedPriceSchema = z.object({ model: z.literal("graduated"), tiers: tiersSchema, ...baseFields });
export const volumePriceSchema = z.object({ model: z.literal("volume"), tiers: tiersSchema, ...baseFields });

export const packagePriceSchema = z.object({
  model: z.literal("package"),
  /** Units per package (a whole number ≥ 1); the quantity is rounded up to whole packages. */
  packageSize: decimalStringSchema,
  /** Price of one package, in major units. */
  packagePrice: decimalStringSchema,
  ...baseFields,
});

export const priceModelSchema = z.discriminatedUnion("model", [
  perUnitPriceSchema,
  graduatedPriceSchema,
  volumePriceSchema,
  packagePriceSchema,
]);

export const dimensionOverridesSchema = z.object({
  /** A group-by dimension of the meter, e.g. `model`. */
  dimension: z.string().min(1).max(100),
  prices: z
    .array(z.object({ value: z.string().min(1).max(200), price: priceModelSchema }))
    .max(200),
});

/**
 * A usage price: a price model (the default), optionally with per-dimension overrides,
 * e.g. a different price per `model` value. Usage whose dimension value has no override
 * uses the default.
 */
export const priceSchema = z.intersection(
  priceModelSchema,
  z.object({ dimensionOverrides: dimensionOverridesSchema.optional() }),
);

export type PerUnitPrice = z.output<typeof perUnitPriceSchema>;
export type PriceTier = z.output<typeof priceTierSchema>;
export type GraduatedPrice = z.output<typeof graduatedPriceSchema>;
export type VolumePrice = z.output<typeof volumePriceSchema>;
export type PackagePrice = z.output<typeof packagePriceSchema>;
export type PriceModel = z.output<typeof priceModelSchema>;
export type DimensionOverrides = z.output<typeof dimensionOverridesSchema>;
export type Price = z.output<typeof priceSchema>;
/** What a caller may write (flat fees as bigint allowed, `includedQuantity` optional). */
export type PriceInput = z.input<typeof priceSchema>;

export const priceModels = ["per_unit", "graduated", "volume", "package"] as const;
export type PriceModelName = (typeof priceModels)[number];
