import { Decimal, microsToDecimal } from "@/server/pricing/decimal";
import { absolute, attributeInvoiceChange, dominantCause, type Attribution, type BillLine } from "@/server/invoicing/attribute-invoice-change";
import type { AnomalyCandidate } from "../candidate";
import type { AnomalySettings } from "../settings";

/** Invoice jumps: a period's invoices against the previous period's, attributed with attributeInvoiceChange (invoicing). */
export { attributeInvoiceChange, dominantCause, lineKey, type Attribution, type AttributionRow, type BillLine } from "@/server/invoicing/attribute-invoice-change";

export type PeriodBill = {
  customerId: string;
  subscriptionId: string;
  invoiceIds: string[];
  invoiceNumbers: string[];
  periodStart: Date;
  periodEnd: Date;
  planVersionId: string;
  planLabel: string;
  currency: string;
  totalMicros: bigint;
  lines: BillLine[];
};

export type PlanChange = { at: Date; fromPlan: string; toPlan: string; fromSeats: number; toSeats: number; reason: string | null };

export type InvoiceJumpInput = { previous: PeriodBill; current: PeriodBill; planChanges: PlanChange[] };

/**
 * A period's invoices against the previous period's: an anomaly when the total moved by at least
 * `invoice_jump.min_delta_micros` and by at least `invoice_jump.min_ratio` of the previous total.
 */
/** `describeMoney` words an amount; `signed` for a change (+$80.00), not for a total ($160.00). */
export function detectInvoiceJump(
  input: InvoiceJumpInput,
  settings: AnomalySettings,
  describeMoney: (micros: bigint, options: { signed: boolean }) => string,
): AnomalyCandidate | null {
  const describeChange = (micros: bigint) => describeMoney(micros, { signed: true });
  const describeTotal = (micros: bigint) => describeMoney(micros, { signed: false });
  const { previous, current } = input;
  const delta = current.totalMicros - previous.totalMicros;
  const magnitude = absolute(delta);
  if (magnitude < settings.micros["invoice_jump.min_delta_micros"] || magnitude === 0n) return null;
  if (previous.totalMicros > 0n) {
    const ratio = new Decimal(magnitude.toString()).dividedBy(previous.totalMicros.toString());
    if (ratio.lessThan(settings["invoice_jump.min_ratio"])) return null;
  }
  const attribution = attributeInvoiceChange(previous.lines, current.lines);
  const cause = dominantCause(attribution);
  const percent = previous.totalMicros > 0n ? `${delta > 0n ? "up" : "down"} ${new Decimal(magnitude.toString()).times(100).dividedBy(previous.totalMicros.toString()).toDecimalPlaces(0).toFixed()}%` : delta > 0n ? "up from nothing" : "down";
  const changeText = input.planChanges.length > 0 ? ` (plan changed ${input.planChanges.map((change) => `${change.fromPlan} → ${change.toPlan} on ${change.at.toISOString().slice(0, 10)}`).join("; ")})` : "";
  const causeText =
    cause === "price"
      ? `mostly price: ${describeChange(attribution.priceEffectMicros)}${changeText}, usage ${describeChange(attribution.quantityEffectMicros)}`
      : cause === "quantity"
        ? `mostly usage: ${describeChange(attribution.quantityEffectMicros)}${topUsage(attribution)}, price ${describeChange(attribution.priceEffectMicros)}${changeText}`
        : `mostly discounts and credits: ${describeChange(attribution.otherEffectMicros)}`;
  return {
    kind: "invoice_jump",
    customerId: current.customerId,
    subject: `invoice:${current.invoiceIds[current.invoiceIds.length - 1]}`,
    windowStart: current.periodStart,
    windowEnd: current.periodEnd,
    title: `Invoice ${percent} (${describeTotal(previous.totalMicros)} → ${describeTotal(current.totalMicros)}), ${causeText}`,
    observed: microsToDecimal(current.totalMicros).toFixed(),
    expected: microsToDecimal(previous.totalMicros).toFixed(),
    impactMicros: delta,
    currency: current.currency,
    evidence: {
      cause,
      previous: billSummary(previous),
      current: billSummary(current),
      planChanges: input.planChanges.map((change) => ({ ...change, at: change.at.toISOString() })),
      attribution: {
        previousMicros: attribution.previousMicros.toString(),
        currentMicros: attribution.currentMicros.toString(),
        deltaMicros: attribution.deltaMicros.toString(),
        quantityEffectMicros: attribution.quantityEffectMicros.toString(),
        priceEffectMicros: attribution.priceEffectMicros.toString(),
        otherEffectMicros: attribution.otherEffectMicros.toString(),
        rows: attribution.rows.slice(0, 50).map((row) => ({
          ...row,
          previousMicros: row.previousMicros.toString(),
          currentMicros: row.currentMicros.toString(),
          deltaMicros: row.deltaMicros.toString(),
          quantityEffectMicros: row.quantityEffectMicros.toString(),
          priceEffectMicros: row.priceEffectMicros.toString(),
          otherEffectMicros: row.otherEffectMicros.toString(),
        })),
      },
    },
  };
}

function topUsage(attribution: Attribution): string {
  const top = attribution.rows.find((row) => row.kind === "usage" && row.quantityEffectMicros !== 0n);
  return top ? ` (${top.description})` : "";
}

function billSummary(bill: PeriodBill) {
  return {
    invoiceIds: bill.invoiceIds,
    invoiceNumbers: bill.invoiceNumbers,
    periodStart: bill.periodStart.toISOString(),
    periodEnd: bill.periodEnd.toISOString(),
    planVersionId: bill.planVersionId,
    plan: bill.planLabel,
    totalMicros: bill.totalMicros.toString(),
  };
}
