import type Stripe from "stripe";
import type { Engine } from "../engine";
import { idOf } from "../objects/invoices";

/** Whether Stripe retries this invoice automatically (Smart Retries apply to charge_automatically invoices after the first invoice). */
export function retriesApply(invoice: Stripe.Invoice): boolean {
  return (
    invoice.auto_advance === true &&
    invoice.collection_method === "charge_automatically" &&
    invoice.billing_reason !== "subscription_create"
  );
}

/** After a failed automatic attempt: schedules the next retry, counted from the first failure, or none once exhausted. */
export function afterAutomaticFailure(engine: Engine, invoice: Stripe.Invoice): void {
  if (!retriesApply(invoice)) {
    invoice.next_payment_attempt = null;
    return;
  }
  const now = engine.nowForCustomer(idOf(invoice.customer));
  const state = engine.dunning.get(invoice.id) ?? { firstFailedAt: now, automaticAttempts: 0 };
  state.automaticAttempts += 1;
  engine.dunning.set(invoice.id, state);
  const offset = engine.config.dunning.retryOffsetsSeconds[state.automaticAttempts - 1];
  invoice.next_payment_attempt = offset === undefined ? null : state.firstFailedAt + offset;
}
