import type Stripe from "stripe";
import { afterEach, describe, expect, it } from "vitest";
import { startWebhookReceiver, startWithClient, type EmulatorFixture } from "./test-support";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup(answer?: (count: number) => number, seed = 3) {
  const fixture: EmulatorFixture = await startWithClient({ seed, config: { webhooks: { retryDelaysMs: [20, 40, 80], timeoutMs: 2000 } } });
  const receiver = await startWebhookReceiver(answer);
  cleanups.push(() => fixture.emulator.close(), () => receiver.close());
  const endpoint = await fixture.stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ["customer.created"] });
  return { ...fixture, receiver, secret: endpoint.secret ?? "" };
}

function eventIds(stripe: Stripe, received: Array<{ rawBody: string; signature: string }>, secret: string): string[] {
  return received.map((delivery) => stripe.webhooks.constructEvent(delivery.rawBody, delivery.signature, secret).id);
}

describe("webhook delivery", () => {
  it("retries non-2xx answers with backoff until one succeeds", async () => {
    const { stripe, emulator, receiver, secret } = await setup((count) => (count <= 2 ? 500 : 200));
    await stripe.customers.create({ email: "retry@example.com" });
    await emulator.webhooks.waitForIdle(5_000);
    const ids = eventIds(stripe, receiver.received, secret);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
    expect(emulator.webhooks.deliveries().map((record) => [record.attempt, record.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    const event = await stripe.events.retrieve(ids[0] ?? "");
    expect(event.pending_webhooks).toBe(0);
  });

  it("only sends enabled event types", async () => {
    const { stripe, emulator, receiver } = await setup();
    await stripe.products.create({ name: "Not subscribed" });
    await stripe.customers.create({});
    await emulator.webhooks.waitForIdle(5_000);
    expect(receiver.received.map((delivery) => (JSON.parse(delivery.rawBody) as { type: string }).type)).toEqual(["customer.created"]);
  });

  it("can deliver every event twice", async () => {
    const { stripe, emulator, receiver, secret } = await setup();
    emulator.setFaults({ webhookDuplicateRate: 1 });
    await stripe.customers.create({});
    await stripe.customers.create({});
    await emulator.webhooks.waitForIdle(5_000);
    const ids = eventIds(stripe, receiver.received, secret);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(2);
  });

  it("can deliver out of order, repeatably for a seed", async () => {
    const run = async () => {
      const { stripe, emulator, receiver, secret } = await setup(undefined, 11);
      emulator.setFaults({ webhookReorderRate: 0.5, webhookReorderDelayMs: 500 });
      const created: string[] = [];
      for (let index = 0; index < 8; index += 1) created.push((await stripe.customers.create({ metadata: { index: String(index) } })).id);
      await emulator.webhooks.waitForIdle(5_000);
      const order = receiver.received.map((delivery) => (stripe.webhooks.constructEvent(delivery.rawBody, delivery.signature, secret).data.object as Stripe.Customer).id);
      return { created, order };
    };
    const first = await run();
    expect([...first.order].sort()).toEqual([...first.created].sort());
    expect(first.order).not.toEqual(first.created);
    const second = await run();
    const positions = (result: { created: string[]; order: string[] }) => result.order.map((id) => result.created.indexOf(id));
    expect(positions(second)).toEqual(positions(first));
  });
});
