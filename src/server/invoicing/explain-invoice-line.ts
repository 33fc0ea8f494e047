import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, invoiceLines, invoices, meters, planVersions, stripeInvoiceItemLinks, type InvoiceLine } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { countMeterEvents, listMeterEvents, type ListMeterEventsResult } from "@/server/metering/list-meter-events";
import { getCustomerUsage } from "@/server/metering/get-customer-usage";
import { rateIncrement, selectPriceModel } from "@/server/pricing";
import { Decimal } from "@/server/pricing/decimal";
import { microsPerCent } from "./money";

const hourMs = 3_600_000;
const dayMs = 86_400_000;

export type ExplainedDay = { day: Date; value: string };

export type InvoiceLineExplanation = {
  invoice: { id: string; number: string | null; status: string; currency: string; periodStart: Date; periodEnd: Date; stripeInvoiceId: string | null };
  customer: { id: string; name: string; externalId: string };
  line: InvoiceLine;
  meter: { key: string; name: string; unit: string; aggregation: string; eventType: string; valuePath: string | null; groupBy: string[] };
  /** The rollups that fed the line, by UTC day of the service period, zero-filled (the meter's aggregation per day). */
  days: ExplainedDay[];
  /** The service period's quantity from the rollups now, the number of events behind it, and how far it is from the line's. */
  rollupQuantity: string;
  eventCount: number;
  quantityArrivedLater: string;
  /** The arithmetic, step by step (quantities are exact decimals). */
  arithmetic: {
    usageQuantity: string;
    allowanceQuantity: string;
    billableQuantity: string;
    /** Billed on earlier invoices of the same period (threshold invoices): this line rates only the rest, tiers continuing. */
    previousBillableQuantity: string;
    priceModel: string;
    priceSource: string;
    tiersSumMicros: bigint;
    /** The pricing engine run again on the line's quantities with the invoice's plan version: null when the price is gone. */
    recomputedMicros: bigint | null;
    amountMicros: bigint;
    amountCents: bigint;
    /** amountMicros − amountCents × 10,000: what went to the rounding account for this line (half to even, once per line). */
    roundingMicros: bigint;
  };
  /** The invoice's discount and credit lines (they apply to the invoice, not to one line). */
  adjustments: { description: string; kind: string; amountMicros: bigint }[];
  stripeInvoiceItem: { id: string; stripeInvoiceId: string | null; amountMinor: bigint; pushedAt: Date } | null;
};

/**
 * Why one usage line of an invoice says what it says: the rollups by day that fed it, the allowance
 * and the tiers the pricing engine applied (as stored on the line, and re-run to check), the
 * rounding to cents, the invoice's discounts and credits and the Stripe invoice item it became.
 * The raw events behind it are paged with listMeterEvents (same customer, meter, dimensions and
 * service period).
 */
export async function explainInvoiceLine(db: Db, input: { invoiceId: string; position: number }): Promise<InvoiceLineExplanation> {
  const [row] = await db
    .select({ invoice: invoices, customer: { id: customers.id, name: customers.name, externalId: customers.externalId }, line: invoiceLines })
    .from(invoiceLines)
    .innerJoin(invoices, eq(invoices.id, invoiceLines.invoiceId))
    .innerJoin(customers, eq(customers.id, invoices.customerId))
    .where(and(eq(invoiceLines.invoiceId, input.invoiceId), eq(invoiceLines.position, input.position)));
  if (!row) throw new DomainError("not_found", "invoice_line_not_found", "This invoice has no line at that position.");
  const { invoice, customer, line } = row;
  if ((line.kind !== "usage" && line.kind !== "late_usage") || !line.meterKey) {
    throw new DomainError("precondition", "invoice_line_not_usage", "Only usage lines are explained from events; this line is a " + line.kind.replace("_", " ") + ".");
  }
  const [meter] = await db.select().from(meters).where(eq(meters.key, line.meterKey));
  if (!meter) throw new DomainError("not_found", "meter_not_found", `The meter ${line.meterKey} of this line no longer exists.`);

  const from = new Date(Math.floor(line.servicePeriodStart.getTime() / hourMs) * hourMs);
  const to = new Date(Math.ceil(line.servicePeriodEnd.getTime() / hourMs) * hourMs);
  const groupBy = Object.keys(line.dimensions).filter((key) => meter.groupBy.includes(key));
  const usage = await getCustomerUsage(db, { externalId: customer.externalId, meterKey: meter.key, from, to, window: "day", groupBy });
  const matches = (dimensions: Record<string, string | null>) => groupBy.every((key) => dimensions[key] === line.dimensions[key]);
  const byDay = new Map(usage.data.filter((point) => matches(point.dimensions)).map((point) => [point.windowStart.getTime(), point.value ?? "0"]));
  const days: ExplainedDay[] = [];
  for (let day = Math.floor(from.getTime() / dayMs) * dayMs; day < to.getTime() && days.length < 400; day += dayMs) {
    days.push({ day: new Date(day), value: byDay.get(day) ?? "0" });
  }
  const rollupQuantity = usage.totals.find((total) => matches(total.dimensions))?.value ?? "0";
  const eventCount = await countMeterEvents(db, { externalId: customer.externalId, meterKey: meter.key, from, to, dimensions: pick(line.dimensions, groupBy) });

  const usageQuantity = line.usageQuantity ?? "0";
  const previousBillableQuantity = line.metadata.previousBillableQuantity ?? "0";
  const billableQuantity = line.metadata.billableQuantity ?? new Decimal(usageQuantity).minus(line.allowanceQuantity ?? "0").toFixed();
  const [version] = await db.select({ usagePrices: planVersions.usagePrices }).from(planVersions).where(eq(planVersions.id, invoice.planVersionId));
  const price = version?.usagePrices.find((each) => each.meterKey === meter.key)?.price;
  const selected = price ? selectPriceModel(price, line.dimensions) : null;
  const added = Decimal.max(new Decimal(billableQuantity).minus(previousBillableQuantity), 0).toFixed();
  const recomputedMicros = price && line.kind === "usage" ? rateIncrement(price, previousBillableQuantity, added, line.dimensions).amountMicros : null;
  const amountCents = line.amountCents;

  const adjustments = await db
    .select({ description: invoiceLines.description, kind: invoiceLines.kind, amountMicros: invoiceLines.amountMicros })
    .from(invoiceLines)
    .where(and(eq(invoiceLines.invoiceId, invoice.id), inArray(invoiceLines.kind, ["discount", "credit"])))
    .orderBy(invoiceLines.position)
    .limit(100);
  const [link] = await db.select().from(stripeInvoiceItemLinks).where(eq(stripeInvoiceItemLinks.invoiceLineId, line.id));

  return {
    invoice: { id: invoice.id, number: invoice.number, status: invoice.status, currency: invoice.currency, periodStart: invoice.periodStart, periodEnd: invoice.periodEnd, stripeInvoiceId: invoice.stripeInvoiceId },
    customer,
    line,
    meter: { key: meter.key, name: meter.name, unit: meter.unit, aggregation: meter.aggregation, eventType: meter.eventType, valuePath: meter.valuePath, groupBy: meter.groupBy },
    days,
    rollupQuantity,
    eventCount,
    quantityArrivedLater: new Decimal(rollupQuantity).minus(usageQuantity).toFixed(),
    arithmetic: {
      usageQuantity,
      allowanceQuantity: line.allowanceQuantity ?? "0",
      billableQuantity,
      previousBillableQuantity,
      priceModel: selected?.model.model ?? "unknown",
      priceSource: !selected ? "unknown" : selected.source.kind === "override" ? `override for ${selected.source.dimension} = ${selected.source.value}` : "default price",
      tiersSumMicros: line.tiers.reduce((sum, tier) => sum + BigInt(tier.amountMicros), 0n),
      recomputedMicros,
      amountMicros: line.amountMicros,
      amountCents,
      roundingMicros: line.amountMicros - amountCents * microsPerCent,
    },
    adjustments,
    stripeInvoiceItem: link ? { id: link.stripeInvoiceItemId, stripeInvoiceId: link.stripeInvoiceId, amountMinor: link.amount, pushedAt: link.pushedAt } : null,
  };
}

function pick(dimensions: Record<string, string>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.map((key) => [key, dimensions[key] ?? ""]));
}

export type ListInvoiceLineEventsInput = { invoiceId: string; position: number; limit?: number; cursor?: { occurredAt: Date; seq: string } };

/** The raw events behind a usage line (its customer, meter, dimensions and service period), oldest first, keyset-paged. */
export async function listInvoiceLineEvents(db: Db, input: ListInvoiceLineEventsInput): Promise<ListMeterEventsResult> {
  const [row] = await db
    .select({ externalId: customers.externalId, line: invoiceLines })
    .from(invoiceLines)
    .innerJoin(invoices, eq(invoices.id, invoiceLines.invoiceId))
    .innerJoin(customers, eq(customers.id, invoices.customerId))
    .where(and(eq(invoiceLines.invoiceId, input.invoiceId), eq(invoiceLines.position, input.position)));
  if (!row) throw new DomainError("not_found", "invoice_line_not_found", "This invoice has no line at that position.");
  const { line } = row;
  if ((line.kind !== "usage" && line.kind !== "late_usage") || !line.meterKey) {
    throw new DomainError("precondition", "invoice_line_not_usage", "Only usage lines have events behind them.");
  }
  return listMeterEvents(db, {
    externalId: row.externalId,
    meterKey: line.meterKey,
    from: line.servicePeriodStart,
    to: line.servicePeriodEnd,
    dimensions: line.dimensions,
    limit: input.limit,
    cursor: input.cursor,
  });
}
