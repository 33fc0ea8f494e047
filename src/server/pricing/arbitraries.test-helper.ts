import fc from "fast-check";
import type { GraduatedPrice, PriceTier, VolumePrice } from "./price-schema";

/** A decimal string with up to `places` decimal places, between 0 and `maxWhole`. */
export function decimalString(maxWhole: bigint, places: number): fc.Arbitrary<string> {
  const scale = 10n ** BigInt(places);
  return fc.bigInt({ min: 0n, max: maxWhole * scale }).map((scaled) => {
    if (places === 0) return scaled.toString();
    const whole = scaled / scale;
    const fraction = (scaled % scale).toString().padStart(places, "0").replace(/0+$/, "");
    return fraction ? `${whole}.${fraction}` : whole.toString();
  });
}

export const quantityArb = fc.oneof(decimalString(10_000_000n, 0), decimalString(100_000n, 4));
export const unitPriceArb = fc.oneof(decimalString(0n, 12), decimalString(100n, 12), decimalString(5n, 6));
export const flatArb = fc.option(fc.bigInt({ min: 0n, max: 50_000_000n }).map(String), { nil: undefined });

export const tiersArb: fc.Arbitrary<PriceTier[]> = fc
  .array(fc.tuple(decimalString(1_000_000n, 2), unitPriceArb, flatArb), { minLength: 1, maxLength: 5 })
  .map((raw) => {
    let bound = 0n;
    return raw.map(([width, unitPrice, flatAmountMicros], index) => {
      const isLast = index === raw.length - 1;
      // Widths are shifted so each bound is strictly above the previous.
      const [whole = "0", fraction = ""] = width.split(".");
      const widthHundredths = BigInt(whole) * 100n + BigInt((fraction + "00").slice(0, 2)) + 1n;
      bound += widthHundredths;
      const upTo = isLast ? null : `${bound / 100n}.${(bound % 100n).toString().padStart(2, "0")}`;
      return flatAmountMicros === undefined ? { upTo, unitPrice } : { upTo, unitPrice, flatAmountMicros };
    });
  });

export const graduatedArb: fc.Arbitrary<GraduatedPrice> = fc
  .tuple(tiersArb, fc.oneof(fc.constant("0"), decimalString(10_000n, 1)))
  .map(([tiers, includedQuantity]) => ({ model: "graduated", tiers, includedQuantity }));

export const volumeArb: fc.Arbitrary<VolumePrice> = fc
  .tuple(tiersArb, fc.oneof(fc.constant("0"), decimalString(10_000n, 1)))
  .map(([tiers, includedQuantity]) => ({ model: "volume", tiers, includedQuantity }));
