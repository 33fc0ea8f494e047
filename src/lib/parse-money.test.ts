import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatMoney } from "./format";
import { parseMoneyToMicros } from "./parse-money";

describe("parseMoneyToMicros", () => {
  it("converts typed dollars to micro-units exactly", () => {
    expect(parseMoneyToMicros("25")).toBe("25000000");
    expect(parseMoneyToMicros("$1,234.56")).toBe("1234560000");
    expect(parseMoneyToMicros("0.000001")).toBe("1");
    expect(parseMoneyToMicros("0.1")).toBe("100000");
    for (const bad of ["", "0", "-5", "1.0000001", "abc", "1e3", "1.2.3"]) expect(parseMoneyToMicros(bad)).toBeNull();
  });

  it("takes zero only when asked, and formats changes with their sign", () => {
    expect(parseMoneyToMicros("0", { allowZero: true })).toBe("0");
    expect(parseMoneyToMicros("$0.00", { allowZero: true })).toBe("0");
    expect(parseMoneyToMicros("-1", { allowZero: true })).toBeNull();
    expect(parseMoneyToMicros("12.5", { allowZero: true })).toBe("12500000");
    expect([4_000_000n, -4_000_000n, 0n].map((micros) => formatMoney(micros, "usd", { signed: true }))).toEqual(["+$4.00", "−$4.00", "$0.00"]);
  });

  it("round-trips with formatMoney for any cent amount", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 12n }), (cents) => {
        const micros = cents * 10_000n;
        expect(parseMoneyToMicros(formatMoney(micros, "usd"))).toBe(micros.toString());
      }),
    );
  });
});
