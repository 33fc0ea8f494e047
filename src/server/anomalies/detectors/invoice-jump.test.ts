import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatMoney } from "@/lib/format";
import { Decimal, toMicrosHalfEven } from "@/server/pricing/decimal";
import { defaultAnomalySettings } from "../settings";
import { attributeInvoiceChange, detectInvoiceJump, type BillLine, type PeriodBill } from "./invoice-jump";

const settings = defaultAnomalySettings();
const money = (micros: bigint, options: { signed: boolean }) => formatMoney(micros, "usd", options);

const usage = (meterKey: string, model: string | null, quantity: string, unitPrice: string): BillLine => ({
  kind: "usage",
  description: `${meterKey}${model ? ` (${model})` : ""}`,
  meterKey,
  dimensions: model ? { model } : {},
  quantity,
  amountMicros: toMicrosHalfEven(new Decimal(quantity).times(unitPrice)),
});
const baseFee = (seats: number, perSeatMicros: bigint): BillLine => ({ kind: "base_fee", description: "Base fee", meterKey: null, dimensions: {}, quantity: String(seats), amountMicros: perSeatMicros * BigInt(seats) });

function bill(lines: BillLine[], overrides: Partial<PeriodBill> = {}): PeriodBill {
  return {
    customerId: "c1",
    subscriptionId: "s1",
    invoiceIds: ["i1"],
    invoiceNumbers: ["TLY-000001"],
    periodStart: new Date("2026-05-01T00:00:00Z"),
    periodEnd: new Date("2026-06-01T00:00:00Z"),
    planVersionId: "v1",
    planLabel: "Pro v1",
    currency: "usd",
    totalMicros: lines.reduce((sum, line) => sum + line.amountMicros, 0n),
    lines,
    ...overrides,
  };
}

describe("invoice change attribution", () => {
  it("splits Δ = Δq·p₀ + q₁·Δp exactly for a per-unit line", () => {
    // 1,000,000 tokens at $0.000003 → 1,500,000 tokens at $0.000004.
    const attribution = attributeInvoiceChange([usage("llm_tokens", "sonnet", "1000000", "0.000003")], [usage("llm_tokens", "sonnet", "1500000", "0.000004")]);
    const [row] = attribution.rows;
    expect(row).toMatchObject({ previousMicros: 3_000_000n, currentMicros: 6_000_000n, deltaMicros: 3_000_000n });
    expect(row!.quantityEffectMicros).toBe(1_500_000n); // 500,000 × $0.000003
    expect(row!.priceEffectMicros).toBe(1_500_000n); // 1,500,000 × $0.000001
  });

  it("attributes a plan change to price and more usage to quantity", () => {
    const before = [baseFee(2, 20_000_000n), usage("llm_tokens", "sonnet", "2000000", "0.000003"), usage("agent_requests", null, "400", "0.01")];
    const planChange = attributeInvoiceChange(before, [baseFee(2, 40_000_000n), usage("llm_tokens", "sonnet", "2000000", "0.000006"), usage("agent_requests", null, "400", "0.02")]);
    expect(planChange.quantityEffectMicros).toBe(0n);
    expect(planChange.priceEffectMicros).toBe(planChange.deltaMicros);
    const moreUsage = attributeInvoiceChange(before, [baseFee(2, 20_000_000n), usage("llm_tokens", "sonnet", "9000000", "0.000003"), usage("agent_requests", null, "1600", "0.01")]);
    expect(moreUsage.priceEffectMicros).toBe(0n);
    expect(moreUsage.quantityEffectMicros).toBe(moreUsage.deltaMicros);
  });

  it("counts a new line as quantity, a vanished line as quantity, and discounts and credits apart", () => {
    const attribution = attributeInvoiceChange(
      [usage("llm_tokens", "sonnet", "100", "1"), { kind: "credit", description: "Credit", meterKey: null, dimensions: {}, quantity: null, amountMicros: -5_000_000n }],
      [usage("llm_tokens", "opus", "10", "3"), { kind: "discount", description: "10% off", meterKey: null, dimensions: {}, quantity: null, amountMicros: -3_000_000n }],
    );
    expect(attribution.quantityEffectMicros).toBe(-100_000_000n + 30_000_000n);
    expect(attribution.priceEffectMicros).toBe(0n);
    expect(attribution.otherEffectMicros).toBe(5_000_000n - 3_000_000n);
    expect(attribution.deltaMicros).toBe(attribution.currentMicros - attribution.previousMicros);
  });

  it("always adds up to the change exactly, in micro-units, whatever the lines (property)", () => {
    const quantity = fc.bigInt({ min: 0n, max: 10n ** 12n }).map((value) => new Decimal(value.toString()).dividedBy(1000).toFixed());
    const amount = fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n });
    const line = fc.record({
      kind: fc.constantFrom("usage", "late_usage", "base_fee", "discount", "credit", "proration") as fc.Arbitrary<BillLine["kind"]>,
      meterKey: fc.constantFrom("llm_tokens", "agent_requests", "reviews"),
      model: fc.constantFrom("sonnet", "opus", null),
      quantity,
      amountMicros: amount,
    });
    const toLine = (value: { kind: BillLine["kind"]; meterKey: string; model: string | null; quantity: string; amountMicros: bigint }): BillLine => ({
      kind: value.kind,
      description: value.kind,
      meterKey: value.kind === "usage" || value.kind === "late_usage" ? value.meterKey : null,
      dimensions: value.model ? { model: value.model } : {},
      quantity: value.kind === "usage" || value.kind === "late_usage" || value.kind === "base_fee" ? value.quantity : null,
      amountMicros: value.amountMicros,
    });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.array(line, { maxLength: 12 }), (previous, current) => {
        const attribution = attributeInvoiceChange(previous.map(toLine), current.map(toLine));
        const total = (lines: typeof previous) => lines.reduce((sum, each) => sum + each.amountMicros, 0n);
        expect(attribution.deltaMicros).toBe(total(current) - total(previous));
        expect(attribution.quantityEffectMicros + attribution.priceEffectMicros + attribution.otherEffectMicros).toBe(attribution.deltaMicros);
        for (const row of attribution.rows) expect(row.quantityEffectMicros + row.priceEffectMicros + row.otherEffectMicros).toBe(row.deltaMicros);
      }),
      { numRuns: 300 },
    );
  });

  it("gives the quantity effect Δq·p₀ rounded half to even, for per-unit lines (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 100_000 }), (q0, q1, p0Micro, p1Micro) => {
        const p0 = new Decimal(p0Micro).dividedBy(1_000_000).toFixed();
        const p1 = new Decimal(p1Micro).dividedBy(1_000_000).toFixed();
        const [row] = attributeInvoiceChange([usage("m", null, String(q0), p0)], [usage("m", null, String(q1), p1)]).rows;
        expect(row!.quantityEffectMicros).toBe(BigInt(q1 - q0) * BigInt(p0Micro));
        expect(row!.priceEffectMicros).toBe(BigInt(q1) * BigInt(p1Micro - p0Micro));
      }),
      { numRuns: 300 },
    );
  });
});

describe("invoice jump detector", () => {
  const previous = bill([baseFee(1, 20_000_000n), usage("llm_tokens", "sonnet", "10000000", "0.000003")]);

  it("fires on a plan change and names price as the cause, with the change", () => {
    const current = bill([baseFee(1, 40_000_000n), usage("llm_tokens", "sonnet", "10000000", "0.000009")], { invoiceIds: ["i2"], periodStart: new Date("2026-06-01T00:00:00Z"), periodEnd: new Date("2026-07-01T00:00:00Z"), planLabel: "Team v1" });
    const candidate = detectInvoiceJump({ previous, current, planChanges: [{ at: new Date("2026-05-20T00:00:00Z"), fromPlan: "Pro v1", toPlan: "Team v1", fromSeats: 1, toSeats: 1, reason: "upgrade" }] }, settings, money);
    expect(candidate).toMatchObject({ kind: "invoice_jump", subject: "invoice:i2", impactMicros: 80_000_000n });
    expect(candidate!.evidence.cause).toBe("price");
    expect(candidate!.title).toContain("mostly price");
    expect(candidate!.title).toContain("Pro v1 → Team v1");
    // Totals unsigned, the effects that explain them signed.
    expect(candidate!.title).toMatch(/^Invoice up 160% \(\$50\.00 → \$130\.00\), mostly price: \+\$/);
  });

  it("fires on usage growth and names quantity (usage) as the cause", () => {
    const current = bill([baseFee(1, 20_000_000n), usage("llm_tokens", "sonnet", "40000000", "0.000003")], { invoiceIds: ["i2"] });
    const candidate = detectInvoiceJump({ previous, current, planChanges: [] }, settings, money);
    expect(candidate!.evidence.cause).toBe("quantity");
    expect(candidate!.title).toContain("mostly usage");
  });

  it("does not fire below the relative or the absolute threshold", () => {
    // +$9: 18% but under $50.
    expect(detectInvoiceJump({ previous, current: bill([baseFee(1, 20_000_000n), usage("llm_tokens", "sonnet", "13000000", "0.000003")]), planChanges: [] }, settings, money)).toBeNull();
    // A big customer +$60 on $10,000: over $50 but 0.6%.
    const big = bill([usage("llm_tokens", "sonnet", "3000000000", "0.0000033333")]);
    const bigger = bill([usage("llm_tokens", "sonnet", "3018000000", "0.0000033333")]);
    expect(detectInvoiceJump({ previous: big, current: bigger, planChanges: [] }, settings, money)).toBeNull();
  });
});
