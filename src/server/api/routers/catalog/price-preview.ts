import { z } from "zod";
import { priceSchema, rate, validatePrice, type PriceIssue, type RateResult } from "@/server/pricing";
import { authorizedProcedure } from "../../trpc";

export const pricePreviewInput = z.object({
  price: priceSchema,
  /** The sample quantity to rate: a decimal string, 0 or more. */
  quantity: z
    .string()
    .trim()
    .max(40)
    .regex(/^(0|[1-9][0-9]*)(\.[0-9]+)?$/, "Enter a quantity of 0 or more, e.g. 1500000"),
  /** Group-by values of the sample (e.g. `{ model: "opus" }`), to preview a per-dimension override. */
  dimensions: z.record(z.string().max(100), z.string().max(200)).optional(),
});

export type PricePreviewResult = { issues: PriceIssue[]; result: RateResult | null };

/**
 * Rates a sample quantity under a price that is being edited, with the pricing engine itself (the
 * same `rate` the close uses), so the console can show the arithmetic line by line. Pure: reads
 * and writes nothing. A price with problems returns them instead of a result.
 */
export const pricePreview = authorizedProcedure("catalog.read")
  .input(pricePreviewInput)
  .query(({ input }): PricePreviewResult => {
    const issues = validatePrice(input.price);
    if (issues.length > 0) return { issues, result: null };
    return { issues, result: rate(input.price, input.quantity, input.dimensions) };
  });
