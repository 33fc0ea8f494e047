import { sql } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { systemActor, type Actor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { upsertCustomer } from "@/server/customers/upsert-customer";
import { dunningNotificationKinds } from "@/server/dunning/policy";
import { recordNotification } from "@/server/entitlements/record-notification";
import { issueGrant } from "@/server/grants/issue-grant";
import { recordSpendWarnings } from "@/server/entitlements/record-spend-warnings";
import { seedUsers } from "@/server/users/seed-users";
import { relayNotifications } from "@/server/workflows/relay-notifications";
import { warnExpiringCredits } from "@/server/workflows/warn-expiring-credits";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { deliverWebhooks } from "./deliver-webhooks";
import { emitWebhookEvents } from "./emit-webhook-event";
import { createWebhookEndpoint, listWebhookEndpoints, updateWebhookEndpoint } from "./manage-webhook-endpoints";
import { listWebhookDeliveries } from "./list-webhook-deliveries";
import { replayWebhookDelivery } from "./replay-webhook-delivery";
import { startWebhookReceiver } from "./test-receiver";

let database: TestDatabase;
const clock = fixedClock("2026-11-01T09:00:00Z");
const admin: Actor = { type: "user", id: "admin-1", label: "admin@tally.test" };
const actor = systemActor("test");

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  await seedUsers(database.db);
});
afterAll(async () => {
  await database.drop();
});

async function drain(): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const result = await deliverWebhooks(database.db, { clock, random: () => 0.5 });
    if (result.claimed === 0) return;
  }
}

describe("webhooks out", () => {
  it("delivers each event once, signed per Standard Webhooks, only to endpoints subscribed to its type", async () => {
    const all = await startWebhookReceiver();
    const customersOnly = await startWebhookReceiver();
    try {
      const first = await createWebhookEndpoint(database.db, admin, clock, { url: all.url, description: "everything", eventTypes: ["*"], reason: "product back end" });
      const second = await createWebhookEndpoint(database.db, admin, clock, { url: customersOnly.url, description: "sign-ups", eventTypes: ["customer.created"], reason: "CRM sync" });
      all.setSecret(first.secret);
      customersOnly.setSecret(second.secret);
      expect(first.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      expect(first.secret).not.toBe(second.secret);
      await upsertCustomer(database.db, actor, clock, { externalId: "hook_1", email: "hook1@example.dev" });
      await upsertCustomer(database.db, actor, clock, { externalId: "hook_1", email: "hook1+new@example.dev" });
      await drain();
      expect(all.received.map((hook) => hook.type)).toEqual(["customer.created", "customer.updated"]);
      expect(customersOnly.received.map((hook) => hook.type)).toEqual(["customer.created"]);
      expect(all.received[0]!.id).toBe(customersOnly.received[0]!.id);
      expect(all.received[1]!.data).toMatchObject({ object: { external_id: "hook_1", email: "hook1+new@example.dev" }, previous_attributes: { email: "hook1@example.dev" } });
      expect(all.rejected() + customersOnly.rejected()).toBe(0);
      // Nothing is sent twice.
      await drain();
      expect(all.received).toHaveLength(2);
      await updateWebhookEndpoint(database.db, admin, clock, { endpointId: first.id, status: "disabled", reason: "test done" });
      await updateWebhookEndpoint(database.db, admin, clock, { endpointId: second.id, status: "disabled", reason: "test done" });
    } finally {
      await all.close();
      await customersOnly.close();
    }
  });

  it("retries with backoff for three days, disables an endpoint that keeps failing and emails the admins; a replay is logged and audited", async () => {
    const mails: { to: string[]; subject: string; body: string }[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      onData(stream, session, callback) {
        let body = "";
        stream.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
        stream.on("end", () => {
          mails.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), subject: /^Subject: (.*)$/m.exec(body)?.[1] ?? "", body });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    process.env.SMTP_URL = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    let failing = true;
    const receiver = await startWebhookReceiver({ status: () => (failing ? 503 : 200) });
    try {
      const endpoint = await createWebhookEndpoint(database.db, admin, clock, { url: receiver.url, description: "flaky", eventTypes: ["customer.created"], reason: "test" });
      receiver.setSecret(endpoint.secret);
      await upsertCustomer(database.db, actor, clock, { externalId: "hook_2", email: "hook2@example.dev" });
      const startedAt = clock.now().getTime();
      const attemptTimes: number[] = [];
      for (let step = 0; step < 40; step++) {
        const result = await deliverWebhooks(database.db, { clock, random: () => 0.5 });
        if (result.claimed > 0) attemptTimes.push(clock.now().getTime() - startedAt);
        const [next] = await executeRows<{ next_attempt_at: string; status: string }>(database.db, sql`select next_attempt_at, status from webhook_deliveries where endpoint_id = ${endpoint.id}`);
        if (next?.status !== "pending") break;
        clock.set(new Date(next.next_attempt_at));
      }
      // Immediately, then 5 s, 5 min, 30 min, 2 h, 5 h and every 10 h after, within three days.
      expect(attemptTimes.slice(0, 6)).toEqual([0, 5_000, 305_000, 2_105_000, 9_305_000, 27_305_000]);
      expect(attemptTimes.at(-1)!).toBeLessThanOrEqual(3 * 86_400_000);
      const [delivery] = await executeRows<{ id: string; status: string; attempts: number }>(database.db, sql`select id, status, attempts from webhook_deliveries where endpoint_id = ${endpoint.id}`);
      expect(delivery).toMatchObject({ status: "failed", attempts: attemptTimes.length });
      const [state] = (await listWebhookEndpoints(database.db)).filter((item) => item.id === endpoint.id);
      expect(state).toMatchObject({ status: "disabled", failed: 1 });
      expect(state!.disabledReason).toMatch(/failed for 3 days/);

      await relayNotifications(database.db, clock);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.to).toEqual(["admin@tally.test"]);
      expect(mails[0]!.subject).toContain("disabled a webhook endpoint");

      failing = false;
      const replay = await replayWebhookDelivery(database.db, admin, clock, { deliveryId: delivery!.id, reason: "receiver fixed" });
      expect(replay).toMatchObject({ ok: true, statusCode: 200 });
      expect(receiver.received.map((hook) => hook.type)).toEqual(["customer.created"]);
      const log = await listWebhookDeliveries(database.db, { endpointId: endpoint.id });
      expect(log.items[0]).toMatchObject({ status: "delivered", eventType: "customer.created" });
      expect(log.items[0]!.log[0]).toMatchObject({ trigger: "replay", statusCode: 200, actorId: "user:admin-1" });
      expect(log.items[0]!.log[0]!.requestHeaders["webhook-signature"]).toMatch(/^v1,/);
      expect(log.items[0]!.log.at(-1)).toMatchObject({ trigger: "automatic", statusCode: 503 });
      const [audit] = await executeRows<{ reason: string }>(database.db, sql`select reason from audit_log where action = 'webhook_delivery.replay' and object_id = ${delivery!.id}`);
      expect(audit?.reason).toBe("receiver fixed");
    } finally {
      delete process.env.SMTP_URL;
      await receiver.close();
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });

  it("turns each spend warning into one usage.threshold_reached event and one email to the customer", async () => {
    const mails: string[] = [];
    const smtp = new SMTPServer({ authOptional: true, disabledCommands: ["STARTTLS"], onData(stream, session, callback) { stream.resume(); stream.on("end", () => { mails.push(session.envelope.rcptTo.map((rcpt) => rcpt.address).join(",")); callback(); }); } });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    process.env.SMTP_URL = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    try {
      const { customer } = await upsertCustomer(database.db, actor, clock, { externalId: "hook_3", email: "hook3@example.dev" });
      const period = { start: new Date("2026-11-01T00:00:00Z"), end: new Date("2026-12-01T00:00:00Z"), index: 0 };
      await recordSpendWarnings(database.db, { customerId: customer.id, period, currency: "usd", limitMicros: 100_000_000n, usedMicros: 85_000_000n });
      await recordSpendWarnings(database.db, { customerId: customer.id, period, currency: "usd", limitMicros: 100_000_000n, usedMicros: 86_000_000n });
      const [first, second] = await Promise.all([relayNotifications(database.db, clock), relayNotifications(database.db, clock)]);
      expect(first.emitted + second.emitted).toBe(2);
      expect((await relayNotifications(database.db, clock)).relayed).toBe(0);
      const events = await executeRows<{ body: string }>(database.db, sql`select body from webhook_events where customer_id = ${customer.id} and type = 'usage.threshold_reached' order by sequence`);
      expect(events.map((row) => (JSON.parse(row.body) as { data: { object: { threshold_percent: number } } }).data.object.threshold_percent)).toEqual([50, 80]);
      expect(mails).toEqual(["hook3@example.dev", "hook3@example.dev"]);
    } finally {
      delete process.env.SMTP_URL;
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });

  it("relays credit.granted, credit.expiring (once per grant, a week ahead) and invoice.payment_failed (once per attempt), each signed", async () => {
    const receiver = await startWebhookReceiver();
    try {
      const endpoint = await createWebhookEndpoint(database.db, admin, clock, { url: receiver.url, description: "credits and dunning", eventTypes: ["credit.granted", "credit.expiring", "invoice.payment_failed"], reason: "test" });
      receiver.setSecret(endpoint.secret);
      const { customer } = await upsertCustomer(database.db, actor, clock, { externalId: "hook_4", email: "hook4@example.dev" });
      const now = clock.now().getTime();
      const soon = await issueGrant(database.db, actor, clock, { customerId: customer.id, amountMicros: 10_000_000n, category: "promotional", source: "support", expiresAt: new Date(now + 5 * 86_400_000), idempotencyKey: "hook_4-soon" });
      await issueGrant(database.db, actor, clock, { customerId: customer.id, amountMicros: 20_000_000n, category: "promotional", source: "support", expiresAt: new Date(now + 30 * 86_400_000), idempotencyKey: "hook_4-later" });
      await issueGrant(database.db, actor, clock, { customerId: customer.id, amountMicros: 30_000_000n, category: "paid", source: "purchase", idempotencyKey: "hook_4-never" });
      // The daily job, twice (a rerun warns no one twice), and dunning recording the same failed attempt twice.
      expect(await warnExpiringCredits(database.db, clock)).toEqual({ recorded: 1 });
      expect(await warnExpiringCredits(database.db, clock)).toEqual({ recorded: 0 });
      const failure = { stripeInvoiceId: "in_hook_4", attempt: 1, amountDueMicros: "24000000", currency: "usd", nextRetryAt: new Date(now + 3 * 86_400_000).toISOString(), hostedInvoiceUrl: "https://invoice.stripe.test/in_hook_4" };
      for (let time = 0; time < 2; time++) await recordNotification(database.db, { customerId: customer.id, kind: dunningNotificationKinds.paymentFailed, payload: failure, dedupeKey: `${dunningNotificationKinds.paymentFailed}:in_hook_4:1` });
      await relayNotifications(database.db, clock);
      await drain();
      expect(receiver.rejected()).toBe(0);
      expect(receiver.received.map((hook) => hook.type).sort()).toEqual(["credit.expiring", "credit.granted", "credit.granted", "credit.granted", "invoice.payment_failed"]);
      const expiring = receiver.received.find((hook) => hook.type === "credit.expiring")!;
      expect(expiring.data.object).toMatchObject({ object: "credit_expiring", customer: customer.id, expires_at: soon.grant.expiresAt!.toISOString(), remaining_micros: "10000000", credit_grant: { id: soon.grant.id } });
      const failed = receiver.received.find((hook) => hook.type === "invoice.payment_failed")!;
      expect(failed.data.object).toEqual({ object: "invoice_payment_failure", customer: customer.id, invoice: null, stripe_invoice_id: "in_hook_4", attempt: 1, amount_due_micros: "24000000", currency: "usd", next_retry_at: failure.nextRetryAt, hosted_invoice_url: failure.hostedInvoiceUrl });
      await updateWebhookEndpoint(database.db, admin, clock, { endpointId: endpoint.id, status: "disabled", reason: "test done" });
    } finally {
      await receiver.close();
    }
  });

  it("emits many events in one transaction in input order, each once to every endpoint subscribed to its type", async () => {
    const receiver = await startWebhookReceiver();
    try {
      const endpoint = await createWebhookEndpoint(database.db, admin, clock, { url: receiver.url, description: "batch", eventTypes: ["invoice.finalized", "invoice.paid"], reason: "test" });
      receiver.setSecret(endpoint.secret);
      const at = clock.now();
      const types = ["invoice.finalized", "customer.created", "invoice.paid", "invoice.finalized"] as const;
      const ids = await database.db.transaction((tx) => emitWebhookEvents(tx, types.map((type, index) => ({ type, customerId: null, at, data: { object: { index } } }))));
      expect(new Set(ids).size).toBe(4);
      const stored = await executeRows<{ id: string; type: string }>(database.db, sql`select id, type from webhook_events where id = any(${`{${ids.join(",")}}`}::text[]) order by sequence`);
      expect(stored.map((row) => [row.id, row.type])).toEqual(ids.map((id, index) => [id, types[index]]));
      await drain();
      expect(receiver.received.map((hook) => [hook.id, hook.type, hook.data.object])).toEqual([
        [ids[0], "invoice.finalized", { index: 0 }],
        [ids[2], "invoice.paid", { index: 2 }],
        [ids[3], "invoice.finalized", { index: 3 }],
      ]);
      await updateWebhookEndpoint(database.db, admin, clock, { endpointId: endpoint.id, status: "disabled", reason: "test done" });
    } finally {
      await receiver.close();
    }
  });
});
