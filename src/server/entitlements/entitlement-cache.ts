import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { loadEntitlementDefinition, type EntitlementDefinition } from "./entitlement-definition";
import { executePreparedRows } from "@/db/execute-prepared";

/*
 * In-process cache of entitlement definitions, keyed by the customer's external id (what a
 * check names) and validated on every use against `entitlement_versions.version` — read in the
 * same statement as the check's usage (checkEntitlement) or by resolveCustomer — together with
 * the customer's id, so an external id that moved to another customer is never served from the
 * old entry. Every change to what a customer may use bumps the version in its own transaction
 * (markEntitlementsChanged), so the first check after the commit — in this process or any other
 * instance — sees the change: there is no timer and no cross-instance message to lose.
 * LISTEN/NOTIFY would save the point read but needs a dedicated connection per instance and a
 * fallback read after any reconnect; folded into the check's one statement, the read costs
 * no round trip of its own, so we pay it.
 */

const entriesMax = 50_000;

/** Per database handle, so tests with several databases in one process never share entries. */
const caches = new WeakMap<Db, Map<string, EntitlementDefinition>>();

function cacheOf(db: Db): Map<string, EntitlementDefinition> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  return cache;
}

export type ResolvedCustomer = { id: string; externalId: string; version: bigint };

/** The customer with this external id and its current entitlement version (0 if never changed). */
export async function resolveCustomer(db: Db, externalId: string): Promise<ResolvedCustomer | undefined> {
  const [row] = await executePreparedRows<{ id: string; version: string }>(
    db,
    sql`select c.id, coalesce(v.version, 0)::text as version from customers c
        left join entitlement_versions v on v.customer_id = c.id
        where c.external_id = ${externalId}`,
  );
  return row ? { id: row.id, externalId, version: BigInt(row.version) } : undefined;
}

/** The same, by customer id (console). */
export async function resolveCustomerById(db: Db, customerId: string): Promise<ResolvedCustomer | undefined> {
  const [row] = await executePreparedRows<{ id: string; external_id: string; version: string }>(
    db,
    sql`select c.id, c.external_id, coalesce(v.version, 0)::text as version from customers c
        left join entitlement_versions v on v.customer_id = c.id
        where c.id = ${customerId}`,
  );
  return row ? { id: row.id, externalId: row.external_id, version: BigInt(row.version) } : undefined;
}

/**
 * The cached definition for this external id, not yet validated: the caller must check its
 * `customerId` and `version` against a read of the customer (isCurrent) before relying on it.
 */
export function peekEntitlementDefinition(db: Db, externalId: string): EntitlementDefinition | undefined {
  return caches.get(db)?.get(externalId);
}

/** Whether `definition` was built for exactly this customer at this version. */
export function isCurrent(definition: EntitlementDefinition, customer: ResolvedCustomer): boolean {
  return definition.customerId === customer.id && definition.version === customer.version && definition.externalId === customer.externalId;
}

function remember(db: Db, definition: EntitlementDefinition): void {
  const cache = cacheOf(db);
  if (cache.size >= entriesMax) {
    // Maps iterate in insertion order: drop the oldest entry (a rough LRU, good enough for a bound).
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.delete(definition.externalId);
  cache.set(definition.externalId, definition);
}

/** The cached definition when it was built from `customer.version`, else a fresh one (then cached). */
export async function getEntitlementDefinition(db: Db, customer: ResolvedCustomer, now: Date): Promise<EntitlementDefinition> {
  const cached = peekEntitlementDefinition(db, customer.externalId);
  if (cached && isCurrent(cached, customer)) return cached;
  const definition = await loadEntitlementDefinition(db, { id: customer.id }, now);
  if (!definition) throw new Error(`customer ${customer.id} vanished while loading its entitlements`);
  remember(db, definition);
  return definition;
}

/**
 * A fresh definition for this external id (undefined: no such customer), read in one statement
 * with its version, then cached.
 */
export async function loadEntitlementDefinitionByExternalId(db: Db, externalId: string, now: Date): Promise<EntitlementDefinition | undefined> {
  const definition = await loadEntitlementDefinition(db, { externalId }, now);
  if (definition) remember(db, definition);
  return definition;
}
