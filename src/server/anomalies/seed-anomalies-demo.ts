import { and, eq, ne } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { anomalies, planVersions, plans, stripeCharges, subscriptions } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { fixedClock, type Clock } from "@/server/clock";
import { changeSubscription } from "@/server/customers/change-subscription";
import { upsertCustomer } from "@/server/customers/upsert-customer";
import { closeSubscriptionPeriod } from "@/server/invoicing/close-subscription-period";
import { ingestEvents } from "@/server/metering/ingest-events";
import { rollUpAll } from "@/server/metering/roll-up-all";
import { seededRandom } from "@/server/seed/random";
import { postChargePayment } from "@/server/stripe/post-stripe-money";
import { upsertStripeCharge, upsertStripePaymentIntent } from "@/server/stripe/upsert-payment-mirror";
import { detectAnomalies } from "./detect-anomalies";

const source = "seed/anomalies";
const hourMs = 3_600_000;
const dayMs = 24 * hourMs;
const historyDays = 30;
const ingestBatch = 1_000;
const actor = systemActor("seed-anomalies");

/** The four stories the demo tells; each customer exists only for its story. */
export const anomalyDemoCustomers = {
  spike: { externalId: "org_anomaly_northwind", name: "Northwind Labs", email: "billing@northwind.example", kind: "team" as const },
  stopped: { externalId: "org_anomaly_contoso", name: "Contoso Robotics", email: "ops@contoso.example", kind: "team" as const },
  upgrade: { externalId: "usr_anomaly_dana-upgrade", name: "Dana Whitfield", email: "dana@whitfield.example", kind: "individual" as const },
  double: { externalId: "org_anomaly_fabrikam", name: "Fabrikam Studio", email: "accounts@fabrikam.example", kind: "team" as const },
};
/** Contoso's new deployment sends its usage under this subject, which is no customer: its usage "stopped being counted". */
export const contosoWrongSubject = "ORG-ANOMALY-CONTOSO";

/**
 * Demo anomalies, each planted in real data and then found by detection (the last step runs
 * `detectAnomalies` over everyone):
 * - Northwind Labs: LLM tokens spike for a day and a half, almost all on model opus;
 * - Contoso Robotics: usage stops 9 hours ago while the same volume arrives under an unknown subject;
 * - Dana Whitfield: upgraded Pro → Team mid-period, so the period invoice jumps (a price effect);
 * - Fabrikam Studio: charged twice for the same amount 20 minutes apart (two payment intents), as
 *   Stripe's webhooks would have mirrored them.
 * Idempotent: fixed event ids, guarded inserts, idempotent closes and detection.
 */
export async function seedAnomaliesDemo(db: Db, clock: Clock): Promise<string> {
  const now = clock.now();
  const ids: Record<keyof typeof anomalyDemoCustomers, string> = { spike: "", stopped: "", upgrade: "", double: "" };
  for (const [key, customer] of Object.entries(anomalyDemoCustomers) as [keyof typeof anomalyDemoCustomers, (typeof anomalyDemoCustomers)["spike"]][]) {
    ids[key] = (await upsertCustomer(db, actor, clock, { externalId: customer.externalId, name: customer.name, email: customer.email, kind: customer.kind, reason: "demo anomaly" })).customer.id;
  }
  const currentHour = Math.floor(now.getTime() / hourMs) * hourMs;
  const upgradeAnchor = monthsBefore(new Date(currentHour - 3 * hourMs), 2);
  await ensureSubscription(db, ids.spike, "team", 12, new Date(currentHour - 40 * dayMs));
  await ensureSubscription(db, ids.stopped, "team", 8, new Date(currentHour - 45 * dayMs));
  await ensureSubscription(db, ids.double, "team", 6, new Date(currentHour - 50 * dayMs));
  const upgradeSubscription = await ensureSubscription(db, ids.upgrade, "pro", 4, upgradeAnchor);

  const events = [
    ...hourlyUsage(anomalyDemoCustomers.spike.externalId, currentHour, { spikeFromHour: currentHour - 36 * hourMs }),
    ...hourlyUsage(anomalyDemoCustomers.stopped.externalId, currentHour, { redirectFromHour: currentHour - 9 * hourMs }),
    ...lightUsage(anomalyDemoCustomers.upgrade.externalId, currentHour),
  ];
  let accepted = 0;
  for (let offset = 0; offset < events.length; offset += ingestBatch) accepted += (await ingestEvents(db, events.slice(offset, offset + ingestBatch), { clock })).accepted;
  // Detection reads rollups: wait until every ingested event is rolled up. The claim only takes events
  // older than every running transaction of the server, so a long transaction elsewhere delays it.
  await rollUpAll(db, { timeoutMs: 300_000 });

  const invoices = await seedUpgrade(db, ids.upgrade, upgradeSubscription, upgradeAnchor, now);
  await seedDoubleCharge(db, ids.double, now);

  const detection = await detectAnomalies(db, { clock, mode: "daily" });
  const found = await db.select({ kind: anomalies.kind, customerId: anomalies.customerId, title: anomalies.title }).from(anomalies).where(ne(anomalies.status, "auto_resolved"));
  const story = (key: keyof typeof ids) => found.filter((anomaly) => anomaly.customerId === ids[key]).map((anomaly) => `${anomaly.kind}: ${anomaly.title}`).join(" | ") || "none";
  return `${accepted} new usage events, ${invoices}; detection opened ${detection.persisted.opened.length} (${found.length} open in all). Northwind: ${story("spike")}. Contoso: ${story("stopped")}. Dana: ${story("upgrade")}. Fabrikam: ${story("double")}`;
}

async function ensureSubscription(db: Db, customerId: string, planKey: string, seats: number, anchor: Date): Promise<string> {
  const [existing] = await db.select({ id: subscriptions.id }).from(subscriptions).where(and(eq(subscriptions.customerId, customerId), ne(subscriptions.status, "canceled"))).limit(1);
  if (existing) return existing.id;
  const [version] = await db
    .select({ id: planVersions.id })
    .from(planVersions)
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(and(eq(plans.key, planKey), eq(planVersions.status, "published")))
    .orderBy(planVersions.version)
    .limit(10);
  if (!version) throw new Error(`seed-anomalies: plan ${planKey} has no published version (run the catalog seed first)`);
  const [row] = await db.insert(subscriptions).values({ customerId, planVersionId: version.id, status: "active", seats, billingAnchor: anchor, createdAt: anchor }).returning({ id: subscriptions.id });
  return row!.id;
}

type Event = { specversion: "1.0"; source: string; id: string; type: string; subject: string; time: string; data: Record<string, unknown> };

/**
 * A team's steady round-the-clock usage: every hour a few completions (mostly sonnet, some
 * haiku, a little opus) and requests, busier on weekdays. Optionally a spike on opus, or the
 * events moving to another subject from some hour on.
 */
function hourlyUsage(externalId: string, currentHour: number, options: { spikeFromHour?: number; redirectFromHour?: number }): Event[] {
  const random = seededRandom(hash(externalId));
  const events: Event[] = [];
  const start = currentHour - historyDays * dayMs;
  for (let hour = start; hour < currentHour; hour += hourMs) {
    const weekday = ![0, 6].includes(new Date(hour).getUTCDay());
    const subject = options.redirectFromHour !== undefined && hour >= options.redirectFromHour ? contosoWrongSubject : externalId;
    const spiking = options.spikeFromHour !== undefined && hour >= options.spikeFromHour;
    const completions = (weekday ? 3 : 2) + (random.chance(0.3) ? 1 : 0);
    for (let index = 0; index < completions; index++) {
      const model = index === 0 && random.chance(0.25) ? "opus" : random.chance(0.3) ? "haiku" : "sonnet";
      const tokens = random.int(20, 60) * 1_000;
      events.push(event(externalId, subject, hour, index, "agent.llm.completion", { model, tokens, kind: "fresh" }));
      events.push(event(externalId, subject, hour, 100 + index, "agent.request", {}));
    }
    if (spiking) {
      // A runaway batch job on the most expensive model.
      for (let index = 0; index < 6; index++) events.push(event(externalId, subject, hour, 200 + index, "agent.llm.completion", { model: "opus", tokens: random.int(150, 250) * 1_000, kind: "fresh" }));
    }
  }
  return events;
}

/** An individual's light, even usage: a couple of sonnet completions a day, well inside the allowance. */
function lightUsage(externalId: string, currentHour: number): Event[] {
  const random = seededRandom(hash(externalId));
  const events: Event[] = [];
  for (let day = 33; day >= 1; day--) {
    const hour = currentHour - day * dayMs + random.int(0, 8) * hourMs;
    events.push(event(externalId, externalId, hour, 0, "agent.llm.completion", { model: "sonnet", tokens: random.int(10, 30) * 1_000, kind: "fresh" }));
  }
  return events;
}

function event(externalId: string, subject: string, hour: number, index: number, type: string, data: Record<string, unknown>): Event {
  return { specversion: "1.0", source, id: `${externalId}/${new Date(hour).toISOString()}/${index}`, type, subject, time: new Date(hour + ((index * 7) % 60) * 60_000).toISOString(), data };
}

/** Two period closes around an upgrade Pro → Team (4 seats): the second invoice carries Team's fee. */
async function seedUpgrade(db: Db, customerId: string, subscriptionId: string, anchor: Date, now: Date): Promise<string> {
  const firstEnd = monthsBefore(new Date(anchor.getTime()), -1);
  const firstClock = fixedClock(new Date(firstEnd.getTime() + hourMs));
  const first = await closeSubscriptionPeriod(db, { subscriptionId, until: firstClock.now() }, { clock: firstClock, actor });
  const [current] = await db
    .select({ planKey: plans.key })
    .from(subscriptions)
    .innerJoin(planVersions, eq(planVersions.id, subscriptions.planVersionId))
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(eq(subscriptions.id, subscriptionId));
  if (current?.planKey === "pro") {
    const [team] = await db.select({ id: planVersions.id }).from(planVersions).innerJoin(plans, eq(plans.id, planVersions.planId)).where(and(eq(plans.key, "team"), eq(planVersions.status, "published"))).limit(1);
    const changeClock = fixedClock(new Date(now.getTime() - 12 * dayMs));
    await changeSubscription(db, null, actor, changeClock, { action: "change", customerId, planVersionId: team!.id, seats: 4, timing: "now", reason: "Customer upgraded to Team for SSO" });
  }
  const second = await closeSubscriptionPeriod(db, { subscriptionId, until: now }, { clock: fixedClock(now), actor });
  return `Dana's period invoices: ${first.created + second.created} new`;
}

/** The same card charged twice for the same amount 20 minutes apart: two payment intents, both succeeded and booked, neither refunded. */
async function seedDoubleCharge(db: Db, customerId: string, now: Date): Promise<void> {
  // Seeded once: a rerun's clock would give the charges other times, and their bookings other contents.
  const [seeded] = await db.select({ id: stripeCharges.stripeId }).from(stripeCharges).where(eq(stripeCharges.stripeId, "ch_demoanomalydouble1"));
  if (seeded) return;
  const firstAt = Math.floor((now.getTime() - 2 * dayMs) / 1000);
  for (const [index, created] of [firstAt, firstAt + 20 * 60].entries()) {
    const suffix = `demoanomalydouble${index + 1}`;
    const paymentIntent = {
      id: `pi_${suffix}`,
      object: "payment_intent",
      livemode: false,
      created,
      customer: "cus_demoanomalyfabrikam",
      amount: 24_000,
      amount_received: 24_000,
      currency: "usd",
      status: "succeeded",
      description: "Fabrikam Studio: seats top-up",
      latest_charge: `ch_${suffix}`,
      payment_method: "pm_demoanomalyvisa",
      last_payment_error: null,
      canceled_at: null,
      cancellation_reason: null,
      metadata: {},
    } as unknown as Stripe.PaymentIntent;
    const charge = {
      id: `ch_${suffix}`,
      object: "charge",
      livemode: false,
      created,
      customer: "cus_demoanomalyfabrikam",
      payment_intent: `pi_${suffix}`,
      amount: 24_000,
      amount_captured: 24_000,
      amount_refunded: 0,
      currency: "usd",
      status: "succeeded",
      paid: true,
      captured: true,
      refunded: false,
      disputed: false,
      description: "Fabrikam Studio: seats top-up",
      failure_code: null,
      failure_message: null,
      outcome: { type: "authorized", reason: null, seller_message: "Payment complete." },
      payment_method: "pm_demoanomalyvisa",
      payment_method_details: { type: "card", card: { brand: "visa", last4: "4242", exp_month: 12, exp_year: 2030 } },
      refunds: { object: "list", data: [], has_more: false, url: "" },
      metadata: {},
    } as unknown as Stripe.Charge;
    const write = { customerId, eventCreated: new Date(created * 1000), now };
    await upsertStripePaymentIntent(db, paymentIntent, write);
    await upsertStripeCharge(db, charge, write);
    // The cash arrived twice, as the charge.succeeded webhooks book it: the books agree with Stripe, the customer holds a credit.
    await postChargePayment(db, fixedClock(now), charge, customerId);
  }
}

function monthsBefore(date: Date, months: number): Date {
  const result = new Date(date);
  result.setUTCMonth(result.getUTCMonth() - months);
  return result;
}

function hash(text: string): number {
  let value = 2166136261;
  for (let index = 0; index < text.length; index++) value = Math.imul(value ^ text.charCodeAt(index), 16777619);
  return value >>> 0;
}

