import { centsOf } from "@/lib/money-units";
import type { CustomerGrantView } from "./list-customer-grants";

/** A credit grant as the public API and webhooks show it. */
export type CreditGrantJson = {
  object: "credit_grant";
  id: string;
  customer: string;
  category: CustomerGrantView["category"];
  source: CustomerGrantView["source"];
  currency: string;
  amount_micros: string;
  amount_cents: number;
  remaining_micros: string;
  state: CustomerGrantView["state"];
  applies_to: CustomerGrantView["appliesTo"];
  product_keys: string[];
  meter_keys: string[];
  priority: number;
  effective_at: string;
  expires_at: string | null;
  created_at: string;
};

export function creditGrantJson(grant: CustomerGrantView): CreditGrantJson {
  return {
    object: "credit_grant",
    id: grant.id,
    customer: grant.customerId,
    category: grant.category,
    source: grant.source,
    currency: grant.currency,
    amount_micros: grant.amountMicros.toString(),
    amount_cents: centsOf(grant.amountMicros),
    remaining_micros: grant.remainingMicros.toString(),
    state: grant.state,
    applies_to: grant.appliesTo,
    product_keys: grant.productKeys,
    meter_keys: grant.meterKeys,
    priority: grant.priority,
    effective_at: grant.effectiveAt.toISOString(),
    expires_at: grant.expiresAt?.toISOString() ?? null,
    created_at: grant.createdAt.toISOString(),
  };
}
