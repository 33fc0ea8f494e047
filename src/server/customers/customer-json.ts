import type { Customer } from "@/db/schema";

/** A customer as the public API and webhooks show it (snake_case, RFC 3339 times). */
export type CustomerJson = {
  object: "customer";
  id: string;
  external_id: string;
  name: string;
  email: string;
  kind: Customer["kind"];
  currency: string;
  metadata: Record<string, string>;
  archived_at: string | null;
  created_at: string;
  updated_at: string;
};

export function customerJson(customer: Customer): CustomerJson {
  return {
    object: "customer",
    id: customer.id,
    external_id: customer.externalId,
    name: customer.name,
    email: customer.email,
    kind: customer.kind,
    currency: customer.currency,
    metadata: customer.metadata,
    archived_at: customer.archivedAt?.toISOString() ?? null,
    created_at: customer.createdAt.toISOString(),
    updated_at: customer.updatedAt.toISOString(),
  };
}

/** The fields of `before` that differ in `after`, with their old values (a webhook's `previous_attributes`). */
export function previousAttributes<T extends Record<string, unknown>>(before: T, after: T): Partial<T> {
  const changed: Partial<T> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (key === "updated_at") continue;
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changed[key] = before[key];
  }
  return changed;
}
