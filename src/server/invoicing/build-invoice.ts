import type { InvoiceKind, InvoiceLineKind, InvoiceLineTier } from "@/db/schema";
import { Decimal } from "@/server/pricing/decimal";
import type { RateLine } from "@/server/pricing/rate";
import type { BilledMeter } from "./billing-terms";
import { divideHalfEven, microsToCents } from "./money";
import type { RatedUsageGroup } from "./rate-usage-groups";

export type Period = { start: Date; end: Date };

export type InvoiceLineDraft = {
  kind: InvoiceLineKind;
  description: string;
  productKey: string | null;
  meterKey: string | null;
  dimensions: Record<string, string>;
  servicePeriod: Period;
  usageQuantity: string | null;
  allowanceQuantity: string | null;
  quantity: string | null;
  unitPrice: string | null;
  tiers: InvoiceLineTier[];
  amountMicros: bigint;
  amountCents: bigint;
  metadata: Record<string, string>;
};

export type MeterUsageRating = { meter: BilledMeter; period: Period; late: boolean; groups: RatedUsageGroup[] };

/** A discount that applies to this invoice (from `customer_discounts`). */
export type ApplicableDiscount = { id: string; productKey: string; percentBasisPoints: number | null; fixedMicros: bigint | null };

export type BuildInvoiceInput = {
  kind: InvoiceKind;
  planKey: string;
  planName: string;
  usage: readonly MeterUsageRating[];
  /** The next period's base fee, billed in advance (period invoices only); `planKey`/`planName` when the next period's plan differs (a change at period end). */
  baseFee: { seats: number; perSeatMicros: bigint; period: Period; planKey?: string; planName?: string } | null;
  discounts: readonly ApplicableDiscount[];
};

export type InvoiceDraft = {
  lines: InvoiceLineDraft[];
  /** Usage (incl. late usage) net of discounts, per product: what credits may pay for. */
  creditableByProduct: Map<string, bigint>;
  usageMicros: bigint;
};

export type InvoiceTotals = {
  subtotalMicros: bigint;
  discountMicros: bigint;
  creditMicros: bigint;
  totalMicros: bigint;
  subtotalCents: bigint;
  discountCents: bigint;
  creditCents: bigint;
  totalCents: bigint;
  /** total_micros − total_cents × 10,000: posted to the `rounding` account. */
  roundingMicros: bigint;
};

/**
 * Pure: the lines of one invoice before credits. Usage lines per meter and rating group (late
 * usage of earlier periods as separate `late_usage` lines), the next period's base fee, then
 * discounts as negative lines. A discount on a product applies to that product's usage lines and,
 * when the product is the plan itself, to the base fee; it reduces the base fee first, then usage
 * (so credits, which pay for usage only, pay for what is left of usage). Percentages are rounded
 * half-even at the micro-unit; a fixed discount never exceeds what it applies to.
 */
export function buildInvoiceDraft(input: BuildInvoiceInput): InvoiceDraft {
  const lines: InvoiceLineDraft[] = [];
  const usageByProduct = new Map<string, bigint>();
  for (const rating of input.usage) {
    for (const group of rating.groups) {
      if (!includeGroup(rating, group)) continue;
      lines.push(usageLine(rating, group));
      usageByProduct.set(rating.meter.productKey, (usageByProduct.get(rating.meter.productKey) ?? 0n) + group.amountMicros);
    }
  }
  let baseFeeMicros = 0n;
  const feePlanKey = input.baseFee?.planKey ?? input.planKey;
  if (input.baseFee && input.baseFee.perSeatMicros > 0n) {
    baseFeeMicros = input.baseFee.perSeatMicros * BigInt(input.baseFee.seats);
    lines.push({
      ...emptyLine("base_fee", `${input.baseFee.planName ?? input.planName} × ${input.baseFee.seats} seat${input.baseFee.seats === 1 ? "" : "s"} (in advance)`, input.baseFee.period),
      productKey: feePlanKey,
      quantity: String(input.baseFee.seats),
      unitPrice: microsToMajor(input.baseFee.perSeatMicros),
      amountMicros: baseFeeMicros,
    });
  }
  const discountByProduct = new Map<string, bigint>();
  for (const discount of input.discounts) {
    const fee = discount.productKey === feePlanKey ? baseFeeMicros : 0n;
    const base = (usageByProduct.get(discount.productKey) ?? 0n) + fee - (discountByProduct.get(discount.productKey) ?? 0n);
    if (base <= 0n) continue;
    const amount =
      discount.percentBasisPoints !== null
        ? divideHalfEven(base * BigInt(discount.percentBasisPoints), 10_000n)
        : discount.fixedMicros !== null && discount.fixedMicros < base
          ? discount.fixedMicros
          : base;
    if (amount <= 0n) continue;
    discountByProduct.set(discount.productKey, (discountByProduct.get(discount.productKey) ?? 0n) + amount);
    const label = discount.percentBasisPoints !== null ? `${formatBasisPoints(discount.percentBasisPoints)}% off` : "Fixed discount";
    const period = input.baseFee?.period ?? input.usage[0]?.period ?? { start: new Date(0), end: new Date(1) };
    lines.push({
      ...emptyLine("discount", `${label} ${discount.productKey}`, period),
      productKey: discount.productKey,
      amountMicros: -amount,
      metadata: { discountId: discount.id },
    });
  }
  const creditableByProduct = new Map<string, bigint>();
  for (const [productKey, usage] of usageByProduct) {
    const fee = productKey === feePlanKey ? baseFeeMicros : 0n;
    const discountOnUsage = maxBigint(0n, (discountByProduct.get(productKey) ?? 0n) - fee);
    const creditable = usage - discountOnUsage;
    if (creditable > 0n) creditableByProduct.set(productKey, creditable);
  }
  const usageMicros = [...usageByProduct.values()].reduce((sum, amount) => sum + amount, 0n);
  return { lines: lines.map(withCents), creditableByProduct, usageMicros };
}

/** Adds the credit lines (what `burnGrants` covered, per product) and computes the totals. */
export function finishInvoice(draft: InvoiceDraft, credits: ReadonlyArray<{ productKey: string; coveredMicros: bigint; period: Period }>): { lines: InvoiceLineDraft[]; totals: InvoiceTotals } {
  const lines = [...draft.lines];
  for (const credit of credits) {
    if (credit.coveredMicros <= 0n) continue;
    lines.push(withCents({ ...emptyLine("credit", `Credits applied to ${credit.productKey} usage`, credit.period), productKey: credit.productKey, amountMicros: -credit.coveredMicros }));
  }
  return { lines, totals: totalsOf(lines) };
}

export function totalsOf(lines: readonly InvoiceLineDraft[]): InvoiceTotals {
  const sum = (kinds: InvoiceLineKind[], pick: (line: InvoiceLineDraft) => bigint) =>
    lines.filter((line) => kinds.includes(line.kind)).reduce((total, line) => total + pick(line), 0n);
  const charges: InvoiceLineKind[] = ["base_fee", "usage", "late_usage", "proration", "credit_purchase"];
  const subtotalMicros = sum(charges, (line) => line.amountMicros);
  const discountMicros = -sum(["discount"], (line) => line.amountMicros);
  const creditMicros = -sum(["credit"], (line) => line.amountMicros);
  const subtotalCents = sum(charges, (line) => line.amountCents);
  const discountCents = -sum(["discount"], (line) => line.amountCents);
  const creditCents = -sum(["credit"], (line) => line.amountCents);
  const totalMicros = subtotalMicros - discountMicros - creditMicros;
  const totalCents = subtotalCents - discountCents - creditCents;
  return { subtotalMicros, discountMicros, creditMicros, totalMicros, subtotalCents, discountCents, creditCents, totalCents, roundingMicros: totalMicros - totalCents * 10_000n };
}

function includeGroup(rating: MeterUsageRating, group: RatedUsageGroup): boolean {
  if (group.amountMicros !== 0n) return true;
  if (group.billableQuantity !== group.previousBillableQuantity) return true;
  // A period invoice shows every group used, even when the allowance covered it; late lines only differences.
  return !rating.late && group.usageQuantity !== "0";
}

function usageLine(rating: MeterUsageRating, group: RatedUsageGroup): InvoiceLineDraft {
  const { meter } = rating;
  const dimension = Object.entries(group.dimensions)
    .map(([key, value]) => `${key} ${value}`)
    .join(", ");
  const name = dimension ? `${meter.meterName} (${dimension})` : meter.meterName;
  const description = rating.late ? `Late usage: ${name}, ${formatDay(rating.period.start)} – ${formatDay(rating.period.end)}` : name;
  const tiers = group.tiers.map(toTier);
  const unitPrices = [...new Set(group.tiers.filter((line) => line.kind !== "included").map((line) => line.unitPrice))];
  return {
    ...emptyLine(rating.late ? "late_usage" : "usage", description, rating.period),
    productKey: meter.productKey,
    meterKey: meter.meterKey,
    dimensions: group.dimensions,
    usageQuantity: group.usageQuantity,
    allowanceQuantity: group.allowanceQuantity,
    // Units charged: the billable increase less what the price itself includes (its `included` line).
    quantity: group.tiers.filter((line) => line.kind === "included").reduce((rest, line) => subtract(rest, line.quantity), subtract(group.billableQuantity, group.previousBillableQuantity)),
    unitPrice: unitPrices.length === 1 ? (unitPrices[0] ?? null) : null,
    tiers,
    amountMicros: group.amountMicros,
    metadata: { unit: meter.unit, billableQuantity: group.billableQuantity, previousBillableQuantity: group.previousBillableQuantity },
  };
}

function toTier(line: RateLine): InvoiceLineTier {
  return {
    kind: line.kind,
    tier: line.tier,
    from: line.from,
    to: line.to,
    quantity: line.quantity,
    unitPrice: line.unitPrice,
    packageSize: line.packageSize,
    packages: line.packages,
    packagePrice: line.packagePrice,
    flatAmountMicros: line.flatAmountMicros.toString(),
    amountMicros: line.amountMicros.toString(),
  };
}

/** A line given by its caller (proration, one-off): the rest empty, rounded to cents once (half-even). */
export function invoiceLine(kind: InvoiceLineKind, description: string, servicePeriod: Period, fields: Partial<Omit<InvoiceLineDraft, "kind" | "description" | "servicePeriod" | "amountCents">> & { amountMicros: bigint }): InvoiceLineDraft {
  return withCents({ ...emptyLine(kind, description, servicePeriod), ...fields });
}

function emptyLine(kind: InvoiceLineKind, description: string, servicePeriod: Period): InvoiceLineDraft {
  return {
    kind,
    description,
    productKey: null,
    meterKey: null,
    dimensions: {},
    servicePeriod,
    usageQuantity: null,
    allowanceQuantity: null,
    quantity: null,
    unitPrice: null,
    tiers: [],
    amountMicros: 0n,
    amountCents: 0n,
    metadata: {},
  };
}

function withCents(line: InvoiceLineDraft): InvoiceLineDraft {
  return { ...line, amountCents: microsToCents(line.amountMicros) };
}

/** Exact decimal difference (both are decimal strings from the engine). */
function subtract(left: string, right: string): string {
  return new Decimal(left).minus(right).toFixed();
}

export function microsToMajor(micros: bigint): string {
  return new Decimal(micros.toString()).dividedBy(1_000_000).toFixed();
}

function formatBasisPoints(basisPoints: number): string {
  return new Decimal(basisPoints).dividedBy(100).toFixed();
}

function formatDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

function maxBigint(left: bigint, right: bigint): bigint {
  return left > right ? left : right;
}
