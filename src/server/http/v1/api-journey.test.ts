import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as stripeWebhookPost } from "@/app/api/webhooks/stripe/route";
import { executeRows } from "@/db/execute";
import { apiKeyScopes } from "@/db/schema";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor, type Actor } from "@/server/audit/actor";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { fixedClock, systemClock } from "@/server/clock";
import { closeDuePeriods } from "@/server/invoicing/close-due-periods";
import { rollUpEverything } from "@/server/metering/test-events";
import { syncCustomer } from "@/server/stripe/sync-customer";
import { setStripeRuntime } from "@/server/stripe/stripe-runtime";
import { drainInbox, startStripeTestbed, type StripeTestbed } from "@/server/stripe/test-support";
import { seedUsers } from "@/server/users/seed-users";
import { deliverWebhooks } from "@/server/webhooks/deliver-webhooks";
import { createWebhookEndpoint } from "@/server/webhooks/manage-webhook-endpoints";
import { startWebhookReceiver } from "@/server/webhooks/test-receiver";
import { relayNotifications } from "@/server/workflows/relay-notifications";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { useRouteDatabase } from "../use-route-database";
import { createContractClient } from "./contract-client";
import { startApiTestServer } from "./contract-server";

/*
 * The product's whole journey through the generated client (openapi-fetch over the committed
 * spec, every answer validated against it), over HTTP, with real PostgreSQL, the Stripe emulator
 * (on a test clock that moves with Tally's clock) and a local receiver that verifies every
 * webhook's Standard Webhooks signature: sign-up, a trial, usage events, the spend warning as a
 * signed `usage.threshold_reached`, an upgrade with proration, Stripe charging it and
 * `invoice.paid` — with each POST's idempotent replay, its reuse with another body, and the bad
 * requests a product makes on the way (no key, wrong scope, bad input, unknown ids, conflicts).
 */

const hourMs = 3_600_000;
const dayMs = 86_400_000;
// Tally's clock and Stripe's test clock start together, three weeks back (usage events are
// refused more than 5 minutes ahead of the real time, never for being old).
const start = new Date(Math.floor(Date.now() / hourMs) * hourMs - 21 * dayMs);
const clock = fixedClock(start);
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
const admin: Actor = { type: "user", id: "admin-1", label: "admin@tally.test" };

let database: TestDatabase;
let testbed: StripeTestbed;
let server: Awaited<ReturnType<typeof startApiTestServer>>;
let product: ReturnType<typeof createContractClient>;
let readOnly: ReturnType<typeof createContractClient>;
let noKey: ReturnType<typeof createContractClient>;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 6 });
  useRouteDatabase(database);
  await seedUsers(database.db);
  await seedCatalog(database.db, { clock });
  testbed = await startStripeTestbed(stripeWebhookPost, { seed: 17 });
  setStripeRuntime({ stripe: testbed.stripe, mode: "emulator", webhookSecret: testbed.webhookSecret });
  const actor = systemActor("journey");
  const key = (await createApiKey(database.db, { actor, name: "product back end", scopes: [...apiKeyScopes] })).key;
  const reader = (await createApiKey(database.db, { actor, name: "analytics", scopes: ["read"] })).key;
  server = await startApiTestServer({ clock, stripe: testbed.stripe });
  product = createContractClient(server.baseUrl, key);
  readOnly = createContractClient(server.baseUrl, reader);
  noKey = createContractClient(server.baseUrl, "");
  receiver = await startWebhookReceiver();
}, 120_000);
afterAll(async () => {
  await receiver?.close();
  await server?.close();
  await testbed?.close();
  await database?.drop();
});

/** What the product's receiver has verified, by type. */
const heard = (type: string) => receiver.received.filter((hook) => hook.type === type);

/**
 * The workers' turn: the notifications relay, then the webhook worker — on the real clock, as the
 * server's in-process worker runs (events are stamped with their commit time, some by the domain's
 * clock, `entitlement.changed` by the database's).
 */
async function deliverAll(): Promise<void> {
  await relayNotifications(database.db, clock);
  for (let round = 0; round < 20; round++) if ((await deliverWebhooks(database.db, { clock: systemClock })).claimed === 0) return;
}

function errorOf(answer: { error?: unknown; response: Response }): { status: number; code: string; param: string | null | undefined; request_id: string } {
  const body = answer.error as { error: { code: string; param?: string | null; request_id: string } };
  return { status: answer.response.status, code: body.error.code, param: body.error.param, request_id: body.error.request_id };
}

describe("the product's journey through the generated client", () => {
  it("signs up, trials, uses, is warned, upgrades with proration, pays, and hears about each step", async () => {
    const { client } = product;
    const { stripe, emulator } = testbed;
    const idempotent = (key: string) => ({ "Idempotency-Key": key });

    // The product registers its webhook endpoint (Admin → Webhooks out) and keeps the secret.
    const endpoint = await createWebhookEndpoint(database.db, admin, clock, { url: receiver.url, description: "product back end", eventTypes: ["*"], reason: "journey" });
    receiver.setSecret(endpoint.secret);

    // 1. Sign-up: the product creates its customer, keyed by its own user id.
    const signUp = { external_id: "usr_journey", email: "ada@example.dev", name: "Ada Lovelace", metadata: { signup_source: "web" } };
    expect(errorOf(await noKey.client.POST("/customers", { body: signUp }))).toMatchObject({ status: 401, code: "missing_api_key" });
    expect(errorOf(await readOnly.client.POST("/customers", { body: signUp }))).toMatchObject({ status: 403, code: "insufficient_scope" });
    expect(errorOf(await client.POST("/customers", { body: { external_id: "usr_journey" } as never }))).toMatchObject({ status: 400, param: "email" });
    expect(errorOf(await client.POST("/customers", { body: { ...signUp, email: "not an email" } }))).toMatchObject({ status: 400, param: "email" });
    expect(errorOf(await client.POST("/customers", { body: "{" as never, bodySerializer: (body) => body as unknown as string }))).toMatchObject({ status: 400, code: "invalid_json" });
    const created = await client.POST("/customers", { body: signUp, params: { header: idempotent("signup-usr_journey") } });
    expect(created.response.status).toBe(201);
    const customer = created.data!;
    expect(customer).toMatchObject({ external_id: "usr_journey", email: "ada@example.dev", metadata: { signup_source: "web" }, created_at: start.toISOString() });
    const replayed = await client.POST("/customers", { body: signUp, params: { header: idempotent("signup-usr_journey") } });
    expect([replayed.response.status, replayed.response.headers.get("idempotent-replayed")]).toEqual([201, "true"]);
    expect(replayed.data).toEqual(customer);
    expect(errorOf(await client.POST("/customers", { body: { ...signUp, email: "eve@example.dev" }, params: { header: idempotent("signup-usr_journey") } }))).toMatchObject({ status: 422, code: "idempotency_key_reused" });
    // The same sign-up sent again without a key is the idempotent upsert by external id: the same customer, no second one.
    const again = await client.POST("/customers", { body: signUp });
    expect([again.response.status, again.data?.id]).toEqual([200, customer.id]);
    expect(errorOf(await client.GET("/customers/{customer}", { params: { path: { customer: "usr_nobody" } } }))).toMatchObject({ status: 404, code: "customer_not_found" });

    // The customer adds a card in Stripe (the portal link the product shows them; the emulator's card attached as the portal would).
    await syncCustomer(database.db, stripe, clock, { customerId: customer.id, testClockId: (await stripe.testHelpers.testClocks.create({ frozen_time: seconds(start), name: "journey" })).id });
    const portal = await client.POST("/customers/{customer}/payment_setup", { params: { path: { customer: "usr_journey" } }, body: {} });
    expect(portal.response.status).toBe(200);
    const stripeCustomerId = portal.data!.stripe_customer_id;
    expect(portal.data!.url).toMatch(/^https?:\/\//);
    const card = await stripe.paymentMethods.attach("pm_card_visa", { customer: stripeCustomerId });
    await stripe.customers.update(stripeCustomerId, { invoice_settings: { default_payment_method: card.id } });
    const testClockId = (await stripe.customers.retrieve(stripeCustomerId) as { test_clock: string | null }).test_clock!;
    expect(testClockId).toMatch(/^clock_/);

    // 2. A 7-day trial of Pro with a $20 spend limit on usage, warned at 50% and 80%.
    const trialBody = { customer: "usr_journey", plan: "pro", seats: 1, trial_days: 7, spend_limit_micros: "20000000", spend_warning_thresholds_percent: [50, 80] };
    expect(errorOf(await client.POST("/subscriptions", { body: { ...trialBody, plan: "platinum" } }))).toMatchObject({ status: 404, code: "plan_not_found", param: "plan" });
    expect(errorOf(await client.POST("/subscriptions", { body: { ...trialBody, seats: 0 } }))).toMatchObject({ status: 400, param: "seats" });
    expect(errorOf(await client.POST("/subscriptions", { body: { ...trialBody, spend_limit_micros: "20 dollars" } }))).toMatchObject({ status: 400, param: "spend_limit_micros" });
    expect(errorOf(await client.POST("/subscriptions", { body: { ...trialBody, customer: "usr_nobody" } }))).toMatchObject({ status: 404, code: "customer_not_found" });
    expect(errorOf(await readOnly.client.POST("/subscriptions", { body: trialBody }))).toMatchObject({ status: 403, code: "insufficient_scope" });
    const trial = await client.POST("/subscriptions", { body: trialBody, params: { header: idempotent("trial-usr_journey") } });
    expect(trial.response.status).toBe(201);
    const subscription = trial.data!;
    expect(subscription).toMatchObject({ status: "trialing", plan: { key: "pro" }, seats: 1, trial_end: new Date(start.getTime() + 7 * dayMs).toISOString(), spend_limit_micros: "20000000" });
    expect(subscription.stripe_subscription_id).toMatch(/^sub_/);
    const trialReplay = await client.POST("/subscriptions", { body: trialBody, params: { header: idempotent("trial-usr_journey") } });
    expect([trialReplay.response.status, trialReplay.response.headers.get("idempotent-replayed"), trialReplay.data?.id]).toEqual([201, "true", subscription.id]);
    expect(errorOf(await client.POST("/subscriptions", { body: { ...trialBody, seats: 2 }, params: { header: idempotent("trial-usr_journey") } }))).toMatchObject({ status: 422, code: "idempotency_key_reused" });
    expect(errorOf(await client.POST("/subscriptions", { body: trialBody, params: { header: idempotent("trial-usr_journey-2") } }))).toMatchObject({ status: 409, code: "subscription_exists" });
    expect((await client.GET("/customers/{customer}/invoices", { params: { path: { customer: "usr_journey" } } })).data?.data).toEqual([]);

    // The trial ends: Stripe's test clock and Tally's clock move on together; the hourly close bills the opening invoice.
    const trialEnd = new Date(subscription.trial_end!);
    clock.set(new Date(trialEnd.getTime() + hourMs));
    await stripe.testHelpers.testClocks.advance(testClockId, { frozen_time: seconds(clock.now()) });
    const closed = await closeDuePeriods(database.db, { until: clock.now() }, { clock, actor: systemActor("invoicing-close-due") });
    expect(closed).toMatchObject({ opened: 1, failed: [] });
    const afterTrial = await client.GET("/subscriptions/{subscription}", { params: { path: { subscription: subscription.id } } });
    expect(afterTrial.data).toMatchObject({ status: "active" });

    // 3. Usage at the edge: 230 code reviews (200 included, then $0.50 each: $15 of the $20 limit).
    const usageAt = new Date(clock.now().getTime() + 60_000);
    clock.set(new Date(usageAt.getTime() + 60_000));
    const reviews = Array.from({ length: 230 }, (_, index) => ({ specversion: "1.0" as const, id: `review-${index}`, source: "product/reviews", type: "code_review.completed", subject: "usr_journey", time: usageAt.toISOString(), data: { repo: `repo-${index % 3}` } }));
    expect(errorOf(await client.POST("/events", { body: "[" as never, bodySerializer: (body) => body as unknown as string }))).toMatchObject({ status: 400 });
    expect(errorOf(await readOnly.client.POST("/events", { body: reviews.slice(0, 1) }))).toMatchObject({ status: 403 });
    const ingested = await client.POST("/events", { body: reviews.slice(0, 200), params: { header: idempotent("reviews-batch-1") } });
    expect(ingested.data).toMatchObject({ accepted: 200, rejected: 0 });
    const ingestReplay = await client.POST("/events", { body: reviews.slice(0, 200), params: { header: idempotent("reviews-batch-1") } });
    expect(ingestReplay.response.headers.get("idempotent-replayed")).toBe("true");
    expect(errorOf(await client.POST("/events", { body: reviews.slice(200), params: { header: idempotent("reviews-batch-1") } }))).toMatchObject({ status: 422, code: "idempotency_key_reused" });
    const rest = await client.POST("/events", { body: [...reviews.slice(200), { ...reviews[0]!, id: "review-bad", time: "yesterday" }], params: { header: idempotent("reviews-batch-2") } });
    expect(rest.data).toMatchObject({ accepted: 30, rejected: 1 });
    // A retry of events already stored (a lost answer, a new key) stores nothing twice.
    const resent = await client.POST("/events", { body: reviews.slice(0, 10) });
    expect(resent.data).toMatchObject({ rejected: 0 });
    // Rollups wait for every transaction older than the events, anywhere in the cluster (a long one elsewhere holds them back).
    await rollUpEverything(database.db, { timeoutMs: 90_000 });
    const usage = await client.GET("/customers/{customer}/usage", { params: { path: { customer: "usr_journey" }, query: { meter: "reviews", from: trialEnd.toISOString(), to: new Date(trialEnd.getTime() + dayMs).toISOString() } } });
    expect(usage.data?.totals).toEqual([{ dimensions: {}, value: "230" }]);

    // 4. The limit warning: the product reads the entitlements (as its UI does); the 50% warning is
    // written, relayed and delivered, signed, to the product's receiver.
    const entitlements = await client.GET("/customers/{customer}/entitlements", { params: { path: { customer: "usr_journey" } } });
    expect(entitlements.response.status).toBe(200);
    await deliverAll();
    expect(heard("usage.threshold_reached").map((hook) => hook.data.object)).toEqual([
      expect.objectContaining({ customer: customer.id, threshold_percent: 50, limit_micros: "20000000", used_micros: "15000000", currency: "usd" }),
    ]);
    expect(receiver.rejected()).toBe(0);
    expect(heard("customer.created").map((hook) => (hook.data.object as { id: string }).id)).toEqual([customer.id]);
    expect(heard("subscription.created").map((hook) => (hook.data.object as { id: string }).id)).toEqual([subscription.id]);
    expect(heard("subscription.updated").map((hook) => hook.data.previous_attributes)).toEqual([expect.objectContaining({ status: "trialing" })]);

    // 5. The upgrade: preview to the cent, then apply now with proration; Stripe invoices and charges it at once.
    clock.set(new Date(trialEnd.getTime() + 10 * dayMs));
    await stripe.testHelpers.testClocks.advance(testClockId, { frozen_time: seconds(clock.now()) });
    expect(errorOf(await client.POST("/subscriptions/{subscription}/preview_change", { params: { path: { subscription: subscription.id } }, body: {} }))).toMatchObject({ status: 400 });
    expect(errorOf(await client.POST("/subscriptions/{subscription}/preview_change", { params: { path: { subscription: subscription.id } }, body: { plan: "diamond" } }))).toMatchObject({ status: 404, param: "plan" });
    expect(errorOf(await client.POST("/subscriptions/{subscription}/preview_change", { params: { path: { subscription: "00000000-0000-4000-8000-000000000000" } }, body: { plan: "team" } }))).toMatchObject({ status: 404, code: "subscription_not_found" });
    const preview = await client.POST("/subscriptions/{subscription}/preview_change", { params: { path: { subscription: subscription.id } }, body: { plan: "team" } });
    expect(preview.data).toMatchObject({ direction: "upgrade", timing: "now" });
    const period = (await client.GET("/subscriptions/{subscription}", { params: { path: { subscription: subscription.id } } })).data!.current_period;
    const remaining = (new Date(period.end).getTime() - clock.now().getTime()) / (new Date(period.end).getTime() - new Date(period.start).getTime());
    expect(remaining).toBeGreaterThan(0.2);
    // −$24 × remaining + $40 × remaining, each rounded to the cent as Stripe does.
    expect(preview.data!.proration_lines.map((line) => [line.kind, line.amount_cents])).toEqual([["credit", -Math.round(2400 * remaining)], ["debit", Math.round(4000 * remaining)]]);
    const upgradeBody = { plan: "team", reason: "picked Team on the plan page" };
    expect(errorOf(await readOnly.client.POST("/subscriptions/{subscription}/change", { params: { path: { subscription: subscription.id } }, body: upgradeBody }))).toMatchObject({ status: 403 });
    expect(errorOf(await client.POST("/subscriptions/{subscription}/change", { params: { path: { subscription: subscription.id } }, body: { ...upgradeBody, seats: -1 } }))).toMatchObject({ status: 400, param: "seats" });
    const upgraded = await client.POST("/subscriptions/{subscription}/change", { params: { path: { subscription: subscription.id }, header: idempotent("upgrade-team") }, body: upgradeBody });
    expect(upgraded.response.status).toBe(200);
    expect(upgraded.data).toMatchObject({ status: "applied", subscription: { plan: { key: "team" } }, preview: { proration_total_cents: preview.data!.proration_total_cents } });
    const upgradeReplay = await client.POST("/subscriptions/{subscription}/change", { params: { path: { subscription: subscription.id }, header: idempotent("upgrade-team") }, body: upgradeBody });
    expect([upgradeReplay.response.headers.get("idempotent-replayed"), upgradeReplay.data?.invoice]).toEqual(["true", upgraded.data!.invoice]);
    expect(errorOf(await client.POST("/subscriptions/{subscription}/change", { params: { path: { subscription: subscription.id }, header: idempotent("upgrade-team") }, body: { plan: "enterprise" } }))).toMatchObject({ status: 422, code: "idempotency_key_reused" });
    const invoiceId = upgraded.data!.invoice!;
    const prorationInvoice = await client.GET("/invoices/{invoice}", { params: { path: { invoice: invoiceId } } });
    expect(prorationInvoice.data).toMatchObject({ kind: "proration", total_cents: preview.data!.proration_total_cents });

    // 6. Stripe charges the update's invoice; its webhook reaches Tally; Tally's invoice is paid and the product hears `invoice.paid`.
    await stripe.testHelpers.testClocks.advance(testClockId, { frozen_time: seconds(clock.now()) + 2 * 3600 });
    await emulator.webhooks.waitForIdle(30_000);
    await drainInbox(database.db, stripe, clock);
    const paid = await client.GET("/invoices/{invoice}", { params: { path: { invoice: invoiceId } } });
    expect(paid.data).toMatchObject({ status: "paid" });
    await deliverAll();
    expect(heard("invoice.paid").map((hook) => (hook.data.object as { id: string }).id)).toContain(invoiceId);
    expect(heard("invoice.paid").find((hook) => (hook.data.object as { id: string }).id === invoiceId)?.data.object).toMatchObject({ kind: "proration", status: "paid" });

    // 7. The upcoming invoice the settings page shows: Team from the next period.
    const upcoming = await client.GET("/customers/{customer}/upcoming_invoice", { params: { path: { customer: "usr_journey" } } });
    expect(upcoming.data).toMatchObject({ object: "upcoming_invoice" });

    // Every delivery was verified, none twice; every answer matched the spec.
    expect(heard("entitlement.changed").map((hook) => (hook.data.object as { customer: string }).customer)).toEqual([customer.id, customer.id]);
    expect(receiver.rejected()).toBe(0);
    expect(new Set(receiver.received.map((hook) => hook.id)).size).toBe(receiver.received.length);
    const [pending] = await executeRows<{ count: string }>(database.db, sql`select count(*)::text as count from webhook_deliveries where status <> 'delivered'`);
    expect(pending?.count).toBe("0");
    expect([...product.problems, ...readOnly.problems, ...noKey.problems]).toEqual([]);
  }, 240_000);
});
