import { and, eq, isNotNull, ne, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Db } from "@/db/client";
import { planVersions, plans, subscriptions } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { createStripeClient } from "./stripe-client";
import { localEmulatorWebhookSecret, stripeRuntimeFromEnv, setStripeRuntime } from "./stripe-runtime";
import { syncCustomer } from "./sync-customer";
import { syncSubscription } from "./sync-subscription";

export type StartLocalStripeOptions = {
  db: Db;
  clock: Clock;
  log: (message: string) => void;
  /** STRIPE_SECRET_KEY: when set, real Stripe is used and nothing starts. */
  secretKey: string | undefined;
  webhookSecret: string | undefined;
  emulatorPort: number;
  /** Where Stripe's webhooks reach this server. */
  appUrl: string;
  /** Demo subscriptions pushed to the emulator at start-up (bounded: start-up stays quick). */
  demoSubscriptionsMax?: number;
};

export type StartLocalStripeResult = { status: "skipped" | "started" | "already_running"; url?: string };

/**
 * Development without a Stripe account: starts the emulator in this process on
 * STRIPE_EMULATOR_PORT, registers a webhook endpoint at `<appUrl>/api/webhooks/stripe` signed with
 * a known development secret, and pushes demo subscriptions to it in the background so the
 * console shows Stripe data. A second process finds the port taken and uses the running one.
 */
export async function startLocalStripe(options: StartLocalStripeOptions): Promise<StartLocalStripeResult> {
  if (options.secretKey) return { status: "skipped" };
  const { startStripeEmulator } = await import("~/tools/stripe-emulator");
  let emulator: Awaited<ReturnType<typeof startStripeEmulator>>;
  try {
    // A fresh seed per start: the emulator forgets everything on restart, and repeated ids would
    // collide with ledger keys (`stripe:invoice:<id>:paid`) kept from the previous run.
    emulator = await startStripeEmulator({ port: options.emulatorPort, seed: Date.now() % 2_147_483_647 });
  } catch (error) {
    if ((error as { code?: string }).code !== "EADDRINUSE") throw error;
    options.log(`stripe: port ${options.emulatorPort} in use; assuming the emulator already runs there`);
    return { status: "already_running" };
  }
  const { stripe } = createStripeClient({ emulatorPort: emulator.port });
  setStripeRuntime({ ...stripeRuntimeFromEnv({ STRIPE_EMULATOR_PORT: emulator.port, STRIPE_WEBHOOK_SECRET: options.webhookSecret }), stripe });
  const webhookUrl = `${options.appUrl.replace(/\/$/, "")}/api/webhooks/stripe`;
  const endpoint = await stripe.webhookEndpoints.create({ url: webhookUrl, enabled_events: ["*"], description: "Tally development server" });
  // The emulator's API only generates random secrets; set the known one on the stored endpoint.
  const stored = emulator.state.get("webhook_endpoint", endpoint.id);
  if (stored) stored.secret = options.webhookSecret ?? localEmulatorWebhookSecret;
  await forgetPreviousEmulator(options.db);
  options.log(`stripe: emulator on ${emulator.url}, webhooks → ${webhookUrl}; syncing demo subscriptions to it in the background (the console works meanwhile)`);
  void syncDemoSubscriptions(options.db, stripe, options.clock, options.demoSubscriptionsMax ?? 40).then(
    (count) => options.log(`stripe: ${count} demo subscriptions synced to the emulator`),
    (error: unknown) => options.log(`stripe: demo sync stopped: ${error instanceof Error ? error.message : String(error)}`),
  );
  return { status: "started", url: emulator.url };
}

/**
 * A freshly started emulator is empty: Stripe ids stored by an earlier run point nowhere. Drop
 * the links (development only: this runs only when this process started the emulator).
 */
async function forgetPreviousEmulator(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`delete from stripe_payment_methods where true`);
    // The seeded history (`in_demo_…`: invoices Stripe collected before this run, the dunning story) is not the emulator's: it stays.
    await tx.execute(sql`delete from stripe_invoices where stripe_id not like 'in\\_demo\\_%'`);
    await tx.execute(sql`delete from stripe_subscriptions where true`);
    await tx.execute(sql`delete from stripe_customers where true`);
    await tx.update(subscriptions).set({ stripeSubscriptionId: null }).where(isNotNull(subscriptions.stripeSubscriptionId));
    await tx.update(plans).set({ stripeProductId: null }).where(isNotNull(plans.stripeProductId));
    await tx.update(planVersions).set({ stripePriceId: null }).where(isNotNull(planVersions.stripePriceId));
  });
}

/** Exported for its test: every synced demo customer can pay, so none starts in dunning. */
export async function syncDemoSubscriptions(db: Db, stripe: Stripe, clock: Clock, max: number): Promise<number> {
  const live = await db
    .select({ id: subscriptions.id, customerId: subscriptions.customerId })
    .from(subscriptions)
    .innerJoin(planVersions, eq(planVersions.id, subscriptions.planVersionId))
    .where(and(ne(subscriptions.status, "canceled"), sql`${planVersions.baseFeePerSeatMicros} % 10000 = 0`))
    .orderBy(subscriptions.createdAt)
    .limit(max);
  let synced = 0;
  for (const subscription of live) {
    // The customer and its test card first: a subscription created before its customer can pay
    // has its first invoice fail, and the customer lands in dunning although nothing is wrong.
    const { stripeCustomerId } = await syncCustomer(db, stripe, clock, { customerId: subscription.customerId });
    const card = await stripe.paymentMethods.attach("pm_card_visa", { customer: stripeCustomerId }, { idempotencyKey: `tally:dev:customer:${subscription.customerId}:card` });
    await stripe.customers.update(stripeCustomerId, { invoice_settings: { default_payment_method: card.id } }, { idempotencyKey: `tally:dev:customer:${subscription.customerId}:default-card` });
    const result = await syncSubscription(db, stripe, clock, { subscriptionId: subscription.id });
    if (result.stripeSubscriptionId === null) continue;
    synced += 1;
  }
  return synced;
}
