import { and, eq, isNotNull, ne, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { billingSettings, customers, planVersions, plans, subscriptions } from "@/db/schema";
import { executeRows } from "@/db/execute";
import { systemActor } from "@/server/audit/actor";
import type { Clock } from "@/server/clock";
import { ingestEvents } from "@/server/metering/ingest-events";
import { rollUpAll } from "@/server/metering/roll-up-all";
import { seededRandom } from "@/server/seed/random";
import { closeDuePeriods } from "./close-due-periods";

const source = "seed/usage";
const hourMs = 3_600_000;
/** Metering accepts events up to 35 days late: a month of history stays inside that. */
const historyDays = 33;
const ingestBatch = 1_000;

type Customer = { externalId: string; kind: "individual" | "team"; planKey: string };

/**
 * A month of realistic usage for the demo customers, through metering's ingestion (so rollups,
 * entitlements and invoices all agree), then the close of every period that ended within it, so
 * the console shows invoices. Individuals use the agent a couple of times a day (mostly Sonnet,
 * some Haiku and Opus), teams several times more with larger completions and code reviews.
 * About 15,000 events, inserted in batches. Idempotent: event ids are fixed per customer and
 * hour (duplicates are ignored), settings are inserted once and closing is idempotent.
 * Periods that ended before the month are left unclosed (`billing_settings.closes_from`):
 * Tally took over billing then.
 */
export async function seedDemoInvoices(db: Db, clock: Clock): Promise<string> {
  const now = clock.now();
  const historyStart = new Date(Math.floor(now.getTime() / hourMs) * hourMs - historyDays * 24 * hourMs);
  await db
    .insert(billingSettings)
    .values({ key: "global", thresholdMicros: 500_000_000n, closesFrom: historyStart, updatedBy: "seed" })
    .onConflictDoNothing();
  const live = await db
    .select({ externalId: customers.externalId, kind: customers.kind, planKey: plans.key })
    .from(subscriptions)
    .innerJoin(customers, eq(customers.id, subscriptions.customerId))
    .innerJoin(planVersions, eq(planVersions.id, subscriptions.planVersionId))
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(and(ne(subscriptions.status, "canceled"), ne(subscriptions.status, "incomplete")))
    .orderBy(customers.externalId)
    .limit(1_000);
  const events = live.flatMap((customer) => customerEvents(customer, historyStart, now));
  let accepted = 0;
  for (let offset = 0; offset < events.length; offset += ingestBatch) {
    accepted += (await ingestEvents(db, events.slice(offset, offset + ingestBatch), { clock })).accepted;
  }
  // Every event rolled up before any period closes: a transaction running elsewhere in the cluster holds
  // events back, and an empty claim alone would close the month's periods on none of their usage.
  const rolledUp = await rollUpAll(db, { timeoutMs: 300_000 });
  const closed = await closeDuePeriods(db, { until: now }, { clock, actor: seedActor });
  await dateSeededInvoices(db, now);
  const late = await ingestLateUsage(db, clock);
  return `${events.length} usage events (${accepted} new, ${rolledUp} rolled up), ${closed.created} invoices created, ${closed.exists} already there, ${late} late events`;
}

const seedActor = systemActor("seed-invoices");

/**
 * The seed closes every past period at once, at seed time; a billing system that had been running
 * would have issued each invoice when its period ended. So the seeded invoices carry those times:
 * issued and finalized an hour after the period's end (never later than now), which is what the
 * invoice lists, the customer timeline and the comparisons show. The ledger keeps its own times.
 * Idempotent (the same times on every run).
 */
async function dateSeededInvoices(db: Db, now: Date): Promise<void> {
  await executeRows(
    db,
    sql`update invoices set issued_at = least(period_end + interval '1 hour', ${now.toISOString()}::timestamptz),
          finalized_at = least(period_end + interval '1 hour', ${now.toISOString()}::timestamptz),
          created_at = least(period_end + interval '1 hour', ${now.toISOString()}::timestamptz)
        where created_by = ${`${seedActor.type}:${seedActor.id}`} and kind = 'period'`,
  );
}

/**
 * A few customers' edge services flushed a buffer late: completions from the last hours of a
 * period they were already invoiced for. Ingestion marks them late (the Ingestion page counts
 * them) and the next invoice bills them as late usage. Fixed ids: idempotent.
 */
async function ingestLateUsage(db: Db, clock: Clock): Promise<number> {
  const invoiced = await db
    .select({ externalId: customers.externalId, through: customers.usageInvoicedThrough })
    .from(customers)
    .where(isNotNull(customers.usageInvoicedThrough))
    .orderBy(customers.externalId)
    .limit(6);
  const events = invoiced.map(({ externalId, through }) => ({
    specversion: "1.0",
    source,
    id: `${externalId}/late-flush`,
    type: "agent.llm.completion",
    subject: externalId,
    time: new Date(through!.getTime() - 3 * hourMs).toISOString(),
    data: { model: "sonnet", tokens: 250_000, kind: "fresh" },
  }));
  return events.length > 0 ? (await ingestEvents(db, events, { clock })).accepted : 0;
}

function customerEvents(customer: Customer, from: Date, until: Date): Record<string, unknown>[] {
  const random = seededRandom(hash(customer.externalId));
  const team = customer.kind === "team";
  const light = customer.planKey === "free";
  const perDay = team ? 4 : light ? 1 : 2;
  const events: Record<string, unknown>[] = [];
  const event = (hourStart: Date, index: number, type: string, data: Record<string, unknown>) => ({
    specversion: "1.0",
    source,
    id: `${customer.externalId}/${hourStart.toISOString()}/${index}`,
    type,
    subject: customer.externalId,
    time: new Date(hourStart.getTime() + random.int(0, 59) * 60_000).toISOString(),
    data,
  });
  for (let day = 0; day < historyDays; day++) {
    const workday = ![0, 6].includes(new Date(from.getTime() + day * 24 * hourMs).getUTCDay());
    const sessions = workday ? perDay : random.chance(0.3) ? 1 : 0;
    for (let session = 0; session < sessions; session++) {
      const hourStart = new Date(from.getTime() + (day * 24 + random.int(8, 19)) * hourMs);
      if (hourStart.getTime() + hourMs > until.getTime()) continue;
      const model = random.chance(0.12) ? "opus" : random.chance(0.3) ? "haiku" : "sonnet";
      const tokens = (team ? random.int(40, 400) : light ? random.int(1, 4) : random.int(10, 120)) * 1_000;
      events.push(event(hourStart, session * 10, "agent.llm.completion", { model, tokens, kind: random.chance(0.1) ? "cached" : "fresh" }));
      events.push(event(hourStart, session * 10 + 1, "agent.request", {}));
      if (random.chance(team ? 0.6 : 0.15)) {
        events.push(event(hourStart, session * 10 + 2, "code_review.completed", { repo: `${customer.externalId}/repo-${random.int(1, team ? 12 : 3)}` }));
      }
    }
  }
  return events;
}

function hash(text: string): number {
  let value = 2166136261;
  for (let index = 0; index < text.length; index++) value = Math.imul(value ^ text.charCodeAt(index), 16777619);
  return value >>> 0;
}
