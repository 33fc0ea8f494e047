import { and, asc, eq, ne } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, planVersions, plans, subscriptions } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import type { Clock } from "@/server/clock";
import { setSpendLimit } from "@/server/customers/set-spend-limit";
import { ingestEvents } from "@/server/metering/ingest-events";

const source = "seed/entitlements";

type Target = { planKey: string; requests?: number; opusTokens?: number; spendLimitMicros?: bigint };

/**
 * Puts a few demo customers near or over what they may use, so the console's Entitlements
 * section has something to show: two Free customers at 90% and 100% of their 200 agent
 * requests, and two Pro customers at 90% of and past their spend limit (Opus tokens).
 * Idempotent: events have fixed ids (ingestion deduplicates them) and the limits are only set
 * when different. Usage goes through ingestion like any event, so rollups and checks agree.
 */
export async function seedEntitlementsDemo(db: Db, clock: Clock): Promise<string> {
  const targets: Target[] = [
    { planKey: "free", requests: 180 },
    { planKey: "free", requests: 200 },
    // Pro v1 and v2 price Opus at $15 and $12 per million tokens; limits sized for both.
    { planKey: "pro", opusTokens: 1_200_000, spendLimitMicros: 20_000_000n },
    { planKey: "pro", opusTokens: 1_000_000, spendLimitMicros: 10_000_000n },
  ];
  const used = new Set<string>();
  const summary: string[] = [];
  for (const target of targets) {
    const candidates = await db
      .select({ id: customers.id, externalId: customers.externalId, spendLimitMicros: subscriptions.spendLimitMicros })
      .from(subscriptions)
      .innerJoin(customers, eq(customers.id, subscriptions.customerId))
      .innerJoin(planVersions, eq(planVersions.id, subscriptions.planVersionId))
      .innerJoin(plans, eq(plans.id, planVersions.planId))
      .where(and(eq(plans.key, target.planKey), ne(subscriptions.status, "canceled"), eq(subscriptions.status, "active")))
      .orderBy(asc(customers.externalId))
      .limit(10);
    const customer = candidates.find((candidate) => !used.has(candidate.id));
    if (!customer) continue;
    used.add(customer.id);
    const at = new Date(clock.now().getTime() - 60_000).toISOString();
    const events: Record<string, unknown>[] = [];
    for (let index = 0; index < (target.requests ?? 0); index++) {
      events.push({ specversion: "1.0", source, id: `${customer.externalId}/request/${index}`, type: "agent.request", subject: customer.externalId, time: at, data: {} });
    }
    if (target.opusTokens) {
      events.push({
        specversion: "1.0",
        source,
        id: `${customer.externalId}/tokens`,
        type: "agent.llm.completion",
        subject: customer.externalId,
        time: at,
        data: { tokens: target.opusTokens, model: "opus", kind: "fresh" },
      });
    }
    const result = events.length > 0 ? await ingestEvents(db, events, { clock }) : { accepted: 0 };
    if (target.spendLimitMicros !== undefined && customer.spendLimitMicros !== target.spendLimitMicros) {
      await setSpendLimit(db, systemActor("seed-entitlements"), clock, {
        customerId: customer.id,
        spendLimitMicros: target.spendLimitMicros,
        reason: "demo: a customer close to or past their spend limit",
      });
    }
    summary.push(`${customer.externalId} (${target.planKey}): ${result.accepted} new events`);
  }
  return summary.join("; ") || "no demo customers to use";
}
