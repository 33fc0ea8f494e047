import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { loadEntitlementDefinition, type EntitlementDefinition } from "./entitlement-definition";

/*
 * In-process cache of entitlement definitions, keyed by customer id, validated on every use
 * against `entitlement_versions.version` with one indexed point read that also resolves the
 * customer's external id. Every change to what a customer may use bumps the version in its own
 * transaction (markEntitlementsChanged), so the first check after the commit — in this process
 * or any other instance — sees the change: there is no timer and no cross-instance message to
 * lose. LISTEN/NOTIFY would save the point read but needs a dedicated connection per instance
 * and a fallback read after any reconnect; the read is ~0.1 ms on the primary key, so we pay it.
 */

const entriesMax = 50_000;

/** Per database handle, so tests with several databases in one process never share entries. */
const caches = new WeakMap<Db, Map<string, EntitlementDefinition>>();

export type ResolvedCustomer = { id: string; externalId: string; version: bigint };

/** The customer with this external id and its current entitlement version (0 if never changed). */
export async function resolveCustomer(db: Db, externalId: string): Promise<ResolvedCustomer | undefined> {
  const [row] = await executeRows<{ id: string; version: string | null }>(
    db,
    sql`select c.id, v.version::text as version from customers c
        left join entitlement_versions v on v.customer_id = c.id
        where c.external_id = ${externalId}`,
  );
  return row ? { id: row.id, externalId, version: BigInt(row.version ?? "0") } : undefined;
}

/** The same, by customer id (console). */
export async function resolveCustomerById(db: Db, customerId: string): Promise<ResolvedCustomer | undefined> {
  const [row] = await executeRows<{ id: string; external_id: string; version: string | null }>(
    db,
    sql`select c.id, c.external_id, v.version::text as version from customers c
        left join entitlement_versions v on v.customer_id = c.id
        where c.id = ${customerId}`,
  );
  return row ? { id: row.id, externalId: row.external_id, version: BigInt(row.version ?? "0") } : undefined;
}

/** The cached definition when it was built from `customer.version`, else a fresh one (then cached). */
export async function getEntitlementDefinition(db: Db, customer: ResolvedCustomer, now: Date): Promise<EntitlementDefinition> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  const cached = cache.get(customer.id);
  if (cached && cached.version === customer.version && cached.externalId === customer.externalId) return cached;
  const definition = await loadEntitlementDefinition(db, customer, now);
  if (cache.size >= entriesMax) {
    // Maps iterate in insertion order: drop the oldest entry (a rough LRU, good enough for a bound).
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.delete(customer.id);
  cache.set(customer.id, definition);
  return definition;
}
