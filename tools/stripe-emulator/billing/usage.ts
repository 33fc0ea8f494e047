import Decimal from "decimal.js";
import type Stripe from "stripe";
import type { Engine } from "../engine";

/**
 * Aggregates a customer's meter events in [start, end) with the meter's formula. Values are exact
 * decimals (decimal.js), never floating point; the result is a decimal string.
 */
export function aggregateUsage(engine: Engine, meter: Stripe.Billing.Meter, customerId: string, start: number, end: number): string {
  const events = engine.meterEvents.filter(
    (event) => event.eventName === meter.event_name && event.customerId === customerId && event.timestamp >= start && event.timestamp < end,
  );
  const formula = meter.default_aggregation.formula;
  if (formula === "count") return String(events.length);
  if (formula === "last") {
    let latest: (typeof events)[number] | undefined;
    for (const event of events) if (latest === undefined || event.timestamp >= latest.timestamp) latest = event;
    return latest?.value ?? "0";
  }
  let total = new Decimal(0);
  for (const event of events) total = total.plus(event.value);
  return total.toFixed();
}
