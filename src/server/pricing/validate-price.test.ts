import { describe, expect, it } from "vitest";
import { priceSchema, type PriceInput } from "./price-schema";
import { validatePrice, type PriceIssueCode } from "./validate-price";

function codes(input: PriceInput): PriceIssueCode[] {
  return validatePrice(priceSchema.parse(input)).map((issue) => issue.code);
}

describe("validatePrice", () => {
  it("accepts each model when well formed", () => {
    expect(codes({ model: "per_unit", unitPrice: "0.000002" })).toEqual([]);
    expect(codes({ model: "graduated", tiers: [{ upTo: "10", unitPrice: "1", flatAmountMicros: 5n }, { upTo: null, unitPrice: "0.5" }] })).toEqual([]);
    expect(codes({ model: "volume", tiers: [{ upTo: null, unitPrice: "0.1" }] })).toEqual([]);
    expect(codes({ model: "package", packageSize: "1000", packagePrice: "5" })).toEqual([]);
  });

  it("names each problem with a code and the path of the field", () => {
    const issues = validatePrice(
      priceSchema.parse({
        model: "graduated",
        tiers: [
          { upTo: "100", unitPrice: "-1" },
          { upTo: null, unitPrice: "1" },
          { upTo: "50", unitPrice: "0.0000000000001" },
        ],
      }),
    );
    expect(issues.map(({ code, path }) => ({ code, path }))).toEqual([
      { code: "negative_price", path: ["tiers", 0, "unitPrice"] },
      { code: "open_tier_not_last", path: ["tiers", 1, "upTo"] },
      { code: "too_many_decimal_places", path: ["tiers", 2, "unitPrice"] },
      { code: "last_tier_bounded", path: ["tiers", 2, "upTo"] },
      { code: "tiers_not_increasing", path: ["tiers", 2, "upTo"] },
    ]);
    expect(issues.every((issue) => issue.message.length > 10)).toBe(true);
  });

  it.each<[string, PriceInput, PriceIssueCode]>([
    ["empty tiers", { model: "volume", tiers: [] }, "tiers_empty"],
    ["a first tier ending at 0", { model: "graduated", tiers: [{ upTo: "0", unitPrice: "1" }, { upTo: null, unitPrice: "1" }] }, "tier_bound_not_positive"],
    ["equal bounds", { model: "graduated", tiers: [{ upTo: "5", unitPrice: "1" }, { upTo: "5", unitPrice: "1" }, { upTo: null, unitPrice: "1" }] }, "tiers_not_increasing"],
    ["a negative flat fee", { model: "graduated", tiers: [{ upTo: null, unitPrice: "1", flatAmountMicros: "-1" }] }, "negative_price"],
    ["a package of 0", { model: "package", packageSize: "0", packagePrice: "1" }, "package_size_invalid"],
    ["a package of 2.5", { model: "package", packageSize: "2.5", packagePrice: "1" }, "package_size_invalid"],
    ["a negative included quantity", { model: "per_unit", unitPrice: "1", includedQuantity: "-3" }, "negative_quantity"],
    ["13 decimal places", { model: "per_unit", unitPrice: "0.0000000000001" }, "too_many_decimal_places"],
    [
      "a duplicated override",
      {
        model: "per_unit",
        unitPrice: "1",
        dimensionOverrides: {
          dimension: "model",
          prices: [
            { value: "opus", price: { model: "per_unit", unitPrice: "2" } },
            { value: "opus", price: { model: "per_unit", unitPrice: "3" } },
          ],
        },
      },
      "duplicate_override",
    ],
  ])("refuses %s", (_name, input, code) => {
    expect(codes(input)).toContain(code);
  });

  it("validates override prices with their own path", () => {
    const issues = validatePrice(
      priceSchema.parse({
        model: "per_unit",
        unitPrice: "1",
        dimensionOverrides: { dimension: "model", prices: [{ value: "opus", price: { model: "per_unit", unitPrice: "-2" } }] },
      }),
    );
    expect(issues).toMatchObject([{ code: "negative_price", path: ["dimensionOverrides", "prices", 0, "price", "unitPrice"] }]);
  });

  it("the shape schema refuses numbers where decimal strings are required", () => {
    expect(priceSchema.safeParse({ model: "per_unit", unitPrice: 0.000002 }).success).toBe(false);
    expect(priceSchema.safeParse({ model: "per_unit", unitPrice: "2e-6" }).success).toBe(false);
    expect(priceSchema.safeParse({ model: "unknown", unitPrice: "1" }).success).toBe(false);
  });
});
