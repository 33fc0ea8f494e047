import type { InvoiceLineKind } from "@/db/schema";
import { Decimal, microsToDecimal, toMicrosHalfEven } from "@/server/pricing/decimal";

/**
 * The change between two invoices (or two periods' invoices) of a customer, attributed line by line, pure.
 * Shared by the invoice comparison (invoicing) and the invoice_jump detector (anomalies).
 *
 * A line of an invoice is matched to the line of the other invoice with the same key (usage: meter
 * and dimensions; base fee; late usage; discounts, credits and prorations each as one group). For a
 * matched line with quantity q and amount a, the unit price is p = a / q (exact: the effective price
 * per unit used, so allowance and tiers count in it), and the change splits as
 *
 *     Δa = Δq · p₀ + q₁ · Δp
 *
 * where the quantity effect Δq·p₀ is rounded half to even to the micro-unit once and the price
 * effect is the rest, so the two add up to Δa exactly, in micro-units. A line only in the new
 * invoice is all quantity (p₀ = p₁) — unless it was there before at zero cost — one only in the old
 * is all quantity (q₁ = 0). Discounts, credits, prorations and other non-quantity lines are their
 * own effect. The sum over lines is the invoice's change, exactly.
 */

export type BillLine = {
  kind: InvoiceLineKind;
  description: string;
  meterKey: string | null;
  dimensions: Record<string, string>;
  /** Usage lines: the usage quantity of the period; base fee: seats; else null. Exact decimal string. */
  quantity: string | null;
  amountMicros: bigint;
};

export type AttributionRow = {
  key: string;
  kind: InvoiceLineKind | "adjustment";
  description: string;
  meterKey: string | null;
  dimensions: Record<string, string>;
  previousQuantity: string | null;
  currentQuantity: string | null;
  /** Effective unit price (major units per unit), exact decimal strings; null when not quantity-based. */
  previousUnitPrice: string | null;
  currentUnitPrice: string | null;
  previousMicros: bigint;
  currentMicros: bigint;
  deltaMicros: bigint;
  quantityEffectMicros: bigint;
  priceEffectMicros: bigint;
  /** Discounts, credits, prorations: neither quantity nor price. */
  otherEffectMicros: bigint;
};

export type Attribution = {
  rows: AttributionRow[];
  previousMicros: bigint;
  currentMicros: bigint;
  deltaMicros: bigint;
  quantityEffectMicros: bigint;
  priceEffectMicros: bigint;
  otherEffectMicros: bigint;
};

const quantityKinds: ReadonlySet<string> = new Set(["usage", "late_usage", "base_fee"]);

export function lineKey(line: Pick<BillLine, "kind" | "meterKey" | "dimensions">): string {
  if (line.kind === "usage" || line.kind === "late_usage") return `${line.kind}:${line.meterKey ?? ""}:${stableDimensions(line.dimensions)}`;
  return line.kind;
}

function stableDimensions(dimensions: Record<string, string>): string {
  return Object.keys(dimensions)
    .sort()
    .map((key) => `${key}=${dimensions[key]}`)
    .join(",");
}

type Grouped = { kind: InvoiceLineKind; description: string; meterKey: string | null; dimensions: Record<string, string>; quantity: Decimal | null; amountMicros: bigint };

/**
 * Lines of one period's invoices grouped by key. Usage quantities are the period's usage so far at
 * each invoice (a threshold invoice then the period invoice), so the largest is the period's; seats
 * and amounts add up.
 */
function group(lines: readonly BillLine[]): Map<string, Grouped> {
  const groups = new Map<string, Grouped>();
  for (const line of lines) {
    const key = lineKey(line);
    const quantity = line.quantity === null ? null : new Decimal(line.quantity);
    const existing = groups.get(key);
    if (!existing) {
      groups.set(key, { kind: line.kind, description: line.kind === "usage" || line.kind === "late_usage" || line.kind === "base_fee" ? line.description : groupLabel(line.kind), meterKey: line.meterKey, dimensions: line.dimensions, quantity, amountMicros: line.amountMicros });
      continue;
    }
    existing.amountMicros += line.amountMicros;
    if (quantity !== null) {
      if (line.kind === "base_fee") existing.quantity = (existing.quantity ?? new Decimal(0)).plus(quantity);
      else existing.quantity = existing.quantity === null ? quantity : Decimal.max(existing.quantity, quantity);
    }
  }
  return groups;
}

function groupLabel(kind: InvoiceLineKind): string {
  return kind === "discount" ? "Discounts" : kind === "credit" ? "Credits applied" : kind === "proration" ? "Prorations" : kind;
}

export function attributeInvoiceChange(previous: readonly BillLine[], current: readonly BillLine[]): Attribution {
  const before = group(previous);
  const after = group(current);
  const keys = [...new Set([...before.keys(), ...after.keys()])];
  const rows: AttributionRow[] = [];
  for (const key of keys) {
    const old = before.get(key);
    const next = after.get(key);
    const sample = (next ?? old)!;
    const previousMicros = old?.amountMicros ?? 0n;
    const currentMicros = next?.amountMicros ?? 0n;
    const deltaMicros = currentMicros - previousMicros;
    const base = { key, kind: sample.kind, description: sample.description, meterKey: sample.meterKey, dimensions: sample.dimensions, previousMicros, currentMicros, deltaMicros };
    if (!quantityKinds.has(sample.kind)) {
      rows.push({ ...base, previousQuantity: null, currentQuantity: null, previousUnitPrice: null, currentUnitPrice: null, quantityEffectMicros: 0n, priceEffectMicros: 0n, otherEffectMicros: deltaMicros });
      continue;
    }
    const q0 = old?.quantity ?? new Decimal(0);
    const q1 = next?.quantity ?? new Decimal(0);
    const p0 = unitPrice(old);
    const p1 = unitPrice(next);
    // No earlier line (or no quantity before): the old price is taken to be the new one, so the change is all quantity.
    const priceBefore = p0 ?? p1 ?? new Decimal(0);
    const quantityEffectMicros = old === undefined && next !== undefined ? deltaMicros : toMicrosHalfEven(q1.minus(q0).times(priceBefore));
    rows.push({
      ...base,
      previousQuantity: old ? q0.toFixed() : null,
      currentQuantity: next ? q1.toFixed() : null,
      previousUnitPrice: p0 === null ? null : p0.toSignificantDigits(12).toFixed(),
      currentUnitPrice: p1 === null ? null : p1.toSignificantDigits(12).toFixed(),
      quantityEffectMicros,
      priceEffectMicros: deltaMicros - quantityEffectMicros,
      otherEffectMicros: 0n,
    });
  }
  rows.sort((a, b) => {
    const difference = absolute(b.deltaMicros) - absolute(a.deltaMicros);
    return difference > 0n ? 1 : difference < 0n ? -1 : a.key.localeCompare(b.key);
  });
  const total = (pick: (row: AttributionRow) => bigint) => rows.reduce((sum, row) => sum + pick(row), 0n);
  return {
    rows,
    previousMicros: total((row) => row.previousMicros),
    currentMicros: total((row) => row.currentMicros),
    deltaMicros: total((row) => row.deltaMicros),
    quantityEffectMicros: total((row) => row.quantityEffectMicros),
    priceEffectMicros: total((row) => row.priceEffectMicros),
    otherEffectMicros: total((row) => row.otherEffectMicros),
  };
}

/** a / q in major units per unit, exact to 100 significant digits; null without quantity. */
function unitPrice(line: Grouped | undefined): Decimal | null {
  if (!line || line.quantity === null || line.quantity.isZero()) return null;
  return microsToDecimal(line.amountMicros).dividedBy(line.quantity);
}

export function absolute(value: bigint): bigint {
  return value < 0n ? -value : value;
}

/** The dominant cause, for the title and the API: the largest of the three effects. */
export function dominantCause(attribution: Pick<Attribution, "quantityEffectMicros" | "priceEffectMicros" | "otherEffectMicros">): "quantity" | "price" | "adjustments" {
  const quantity = absolute(attribution.quantityEffectMicros);
  const price = absolute(attribution.priceEffectMicros);
  const other = absolute(attribution.otherEffectMicros);
  if (price > quantity && price >= other) return "price";
  if (other > quantity && other > price) return "adjustments";
  return "quantity";
}
