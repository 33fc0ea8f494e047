import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { customers, meters, plans, planVersions, products, subscriptions, type Entitlement, type UsagePrice } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import type { Clock } from "@/server/clock";
import { ingestEvents } from "@/server/metering/ingest-events";
import { rollUpEverything } from "@/server/metering/test-events";

export const invoicingActor = systemActor("invoicing-test");

/**
 * A small catalog whose invoices can be computed by hand: tokens priced per model (graduated
 * default, Opus per unit) with a 1,000-token allowance, requests in packages of 100, reviews on a
 * volume ladder, active repositories (unique count) and peak concurrency (max).
 */
export async function createTestCatalog(db: Db, options: { baseFeePerSeatMicros?: bigint; tokenAllowance?: string | null } = {}) {
  const suffix = crypto.randomBytes(3).toString("hex");
  const [agent] = await db.insert(products).values({ key: `agent_${suffix}`, name: "Agent" }).returning();
  const [review] = await db.insert(products).values({ key: `review_${suffix}`, name: "Review" }).returning();
  const meterRows = await db
    .insert(meters)
    .values([
      { key: `tokens_${suffix}`, name: "Tokens", productId: agent!.id, eventType: `t.tokens.${suffix}`, aggregation: "sum", valuePath: "tokens", groupBy: ["model"], unit: "token" },
      { key: `requests_${suffix}`, name: "Requests", productId: agent!.id, eventType: `t.request.${suffix}`, aggregation: "count", unit: "request" },
      { key: `reviews_${suffix}`, name: "Reviews", productId: review!.id, eventType: `t.review.${suffix}`, aggregation: "count", unit: "review" },
      { key: `repos_${suffix}`, name: "Repositories", productId: review!.id, eventType: `t.review.${suffix}`, aggregation: "unique_count", valuePath: "repo", unit: "repository" },
      { key: `peak_${suffix}`, name: "Peak sessions", productId: agent!.id, eventType: `t.session.${suffix}`, aggregation: "max", valuePath: "concurrency", unit: "session" },
    ])
    .returning();
  const key = (name: string) => meterRows.find((meter) => meter.key === `${name}_${suffix}`)!.key;
  const usagePrices: UsagePrice[] = [
    {
      meterKey: key("tokens"),
      price: {
        model: "graduated",
        includedQuantity: "0",
        tiers: [
          { upTo: "1000", unitPrice: "0.01" },
          { upTo: null, unitPrice: "0.005" },
        ],
        dimensionOverrides: { dimension: "model", prices: [{ value: "opus", price: { model: "per_unit", unitPrice: "0.02", includedQuantity: "0" } }] },
      },
    },
    { meterKey: key("requests"), price: { model: "package", packageSize: "100", packagePrice: "1", includedQuantity: "0" } },
    {
      meterKey: key("reviews"),
      price: {
        model: "volume",
        includedQuantity: "0",
        tiers: [
          { upTo: "10", unitPrice: "0.5" },
          { upTo: null, unitPrice: "0.3" },
        ],
      },
    },
    { meterKey: key("repos"), price: { model: "per_unit", unitPrice: "2", includedQuantity: "0" } },
    { meterKey: key("peak"), price: { model: "per_unit", unitPrice: "1.5", includedQuantity: "0" } },
  ];
  const entitlements: Entitlement[] = [
    { featureKey: `tokens_${suffix}`, kind: "metered", meterKey: key("tokens"), allowancePerPeriod: options.tokenAllowance === undefined ? "1000" : options.tokenAllowance, overage: "bill" },
  ];
  const [plan] = await db.insert(plans).values({ key: `plan_${suffix}`, name: "Test plan" }).returning();
  const [version] = await db
    .insert(planVersions)
    .values({ planId: plan!.id, version: 1, status: "published", publishedAt: new Date("2025-01-01T00:00:00Z"), currency: "usd", billingInterval: "month", baseFeePerSeatMicros: options.baseFeePerSeatMicros ?? 10_000_000n, entitlements, usagePrices })
    .returning();
  return {
    suffix,
    planKey: plan!.key,
    planVersionId: version!.id,
    productKeys: { agent: agent!.key, review: review!.key },
    meterKeys: { tokens: key("tokens"), requests: key("requests"), reviews: key("reviews"), repos: key("repos"), peak: key("peak") },
    eventTypes: { tokens: `t.tokens.${suffix}`, request: `t.request.${suffix}`, review: `t.review.${suffix}`, session: `t.session.${suffix}` },
  };
}

export type TestCatalog = Awaited<ReturnType<typeof createTestCatalog>>;

export async function createSubscribedCustomer(db: Db, input: { planVersionId: string; anchor: Date; seats?: number; trialEnd?: Date | null }) {
  const externalId = `cus_${crypto.randomBytes(6).toString("hex")}`;
  const [customer] = await db.insert(customers).values({ externalId, name: externalId, email: `${externalId}@example.test`, kind: "team" }).returning();
  const [subscription] = await db
    .insert(subscriptions)
    .values({ customerId: customer!.id, planVersionId: input.planVersionId, status: "active", seats: input.seats ?? 1, billingAnchor: input.anchor, trialEnd: input.trialEnd ?? null })
    .returning();
  return { customerId: customer!.id, externalId, subscriptionId: subscription!.id };
}

export function usageEvent(type: string, subject: string, time: Date, data: Record<string, unknown>): Record<string, unknown> {
  return { specversion: "1.0", id: crypto.randomUUID(), source: "test/invoicing", type, subject, time: time.toISOString(), data };
}

/** Ingests through metering (as the edge would) and rolls everything up. */
export async function ingestAndRollUp(db: Db, events: readonly Record<string, unknown>[], clock: Clock): Promise<void> {
  for (let offset = 0; offset < events.length; offset += 500) {
    const result = await ingestEvents(db, events.slice(offset, offset + 500), { clock });
    if (result.rejected > 0) throw new Error(`events rejected: ${JSON.stringify(result.results.filter((item) => item.status === "rejected").slice(0, 3))}`);
  }
  await rollUpEverything(db);
}

/** An account's posted balance, debits minus credits (0 when the account does not exist). */
export async function accountNet(db: Db, code: string): Promise<bigint> {
  const [row] = await executeRows<{ net: string }>(
    db,
    sql`select coalesce(sum(e.amount), 0)::text as net from ledger_entries e join ledger_accounts a on a.id = e.account_id where a.code = ${code} and e.phase = 'posted'`,
  );
  return BigInt(row?.net ?? "0");
}

export async function countRows(db: Db, table: "invoices" | "invoice_lines" | "ledger_transactions" | "ledger_entries" | "billed_usage" | "credit_burns"): Promise<number> {
  const [row] = await executeRows<{ count: string }>(db, sql`select count(*)::text as count from ${sql.raw(table)}`);
  return Number(row?.count ?? 0);
}
