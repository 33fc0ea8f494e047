import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import type Stripe from "stripe";
import { startStripeEmulator, type StartStripeEmulatorOptions, type StripeEmulator } from "~/tools/stripe-emulator";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { customers, planVersions, plans } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { processWebhookEvents, type ProcessWebhookEventsResult } from "./process-webhook-events";
import { createStripeClient } from "./stripe-client";

/** Test helpers for the stripe domain's integration tests (imported by *.test.ts only). */

export type WebhookHandler = (request: Request) => Promise<Response>;

export type StripeTestbed = {
  emulator: StripeEmulator;
  stripe: Stripe;
  /** The signing secret of the endpoint registered at `webhookUrl`. */
  webhookSecret: string;
  webhookUrl: string;
  close: () => Promise<void>;
};

/**
 * An in-process emulator, an SDK client made by Tally's own factory, and a local HTTP server
 * that hands every webhook delivery to `handler` (the route's POST) as a Fetch Request.
 */
export async function startStripeTestbed(handler: WebhookHandler, options: StartStripeEmulatorOptions = {}, client: { maxNetworkRetries?: number } = {}): Promise<StripeTestbed> {
  const emulator = await startStripeEmulator({ port: 0, tickIntervalMs: 0, config: { webhooks: { retryDelaysMs: [20, 50, 100], timeoutMs: 5000 } }, ...options });
  const { stripe } = createStripeClient({ emulatorPort: emulator.port, emulatorHost: emulator.host, maxNetworkRetries: client.maxNetworkRetries ?? 2, timeoutMs: 10_000 });
  const server = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === "string") headers.set(name, value);
      const request = new Request(`http://tally.test${incoming.url ?? "/"}`, { method: incoming.method, headers, body: Buffer.concat(chunks) });
      handler(request).then(
        async (response) => {
          outgoing.writeHead(response.status, { "content-type": "application/json" });
          outgoing.end(await response.text());
        },
        () => {
          outgoing.writeHead(500);
          outgoing.end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/stripe`;
  const endpoint = await stripe.webhookEndpoints.create({ url: webhookUrl, enabled_events: ["*"] });
  return {
    emulator,
    stripe,
    webhookSecret: endpoint.secret ?? "",
    webhookUrl,
    close: async () => {
      await emulator.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Runs the inbox until nothing is due (bounded), like the worker would. */
export async function drainInbox(db: Db, stripe: Stripe, clock: Clock, roundsMax = 50): Promise<ProcessWebhookEventsResult[]> {
  const results: ProcessWebhookEventsResult[] = [];
  for (let round = 0; round < roundsMax; round++) {
    const result = await processWebhookEvents(db, { stripe, clock, limit: 100 });
    results.push(result);
    if (result.claimed === 0) break;
  }
  return results;
}

export async function insertCustomer(db: Db, suffix: string): Promise<string> {
  const [row] = await db
    .insert(customers)
    .values({ externalId: `stripe-test-${suffix}`, name: `Stripe Test ${suffix}`, email: `${suffix}@example.com`, kind: "team" })
    .returning({ id: customers.id });
  return row!.id;
}

/** A published monthly plan version: $20.00 per seat, a 14-day trial. */
export async function insertPublishedPlanVersion(db: Db, key: string, options: { baseFeePerSeatMicros?: bigint; trialDays?: number; currency?: string } = {}): Promise<string> {
  const [plan] = await db.insert(plans).values({ key, name: `Plan ${key}` }).returning({ id: plans.id });
  const [version] = await db
    .insert(planVersions)
    .values({
      planId: plan!.id,
      version: 1,
      status: "published",
      publishedAt: new Date("2026-01-01T00:00:00Z"),
      currency: options.currency ?? "usd",
      billingInterval: "month",
      baseFeePerSeatMicros: options.baseFeePerSeatMicros ?? 20_000_000n,
      trialDays: options.trialDays ?? 14,
    })
    .returning({ id: planVersions.id });
  return version!.id;
}

/** Balances per ledger account code touched by Stripe money, and the Stripe keys posted. */
export async function stripeLedgerSnapshot(db: Db): Promise<{ balances: Record<string, string>; keys: string[] }> {
  const balances = await executeRows<{ code: string; total: string }>(
    db,
    sql`select a.code, sum(e.amount)::text as total from ledger_entries e join ledger_accounts a on a.id = e.account_id
        join ledger_transactions t on t.id = e.transaction_id where t.idempotency_key like 'stripe:%' group by a.code order by a.code`,
  );
  const keys = await executeRows<{ key: string }>(db, sql`select idempotency_key as key from ledger_transactions where idempotency_key like 'stripe:%' order by 1`);
  return { balances: Object.fromEntries(balances.map((row) => [row.code, row.total])), keys: keys.map((row) => row.key) };
}

/** The mirror tables, minus bookkeeping columns that differ between runs (sync times). */
export async function mirrorSnapshot(db: Db): Promise<Record<string, unknown[]>> {
  const tables = ["stripe_customers", "stripe_subscriptions", "stripe_invoices", "stripe_payment_methods", "stripe_payment_intents", "stripe_charges", "stripe_refunds", "stripe_invoice_payments"] as const;
  const snapshot: Record<string, unknown[]> = {};
  for (const table of tables) {
    const rows = await executeRows<Record<string, unknown>>(db, sql.raw(`select * from ${table} order by stripe_id`));
    snapshot[table] = rows.map((row) => {
      const { synced_at: _syncedAt, last_event_created: _lastEventCreated, ...rest } = row;
      return JSON.parse(JSON.stringify(rest, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value))) as unknown;
    });
  }
  return snapshot;
}
