import { count, eq } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/webhooks/stripe/route";
import { stripeWebhookEvents } from "@/db/schema";
import { useRouteDatabase } from "@/server/http/use-route-database";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { setStripeRuntime } from "./stripe-runtime";

/*
 * Found by the fuzz test (src/server/http/fuzz-public-endpoints.test.ts): a correctly signed body
 * that is not a Stripe event answered 500 — an id without `evt_` broke the inbox's check
 * constraint, nesting 5,000 deep overflowed the stack, a `created` past year 9999 was an invalid
 * time. Each is refused with 400 `stripe_event_invalid`, nothing stored; a real event still is.
 */

const secret = "whsec_hostile_test_secret";
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
  useRouteDatabase(database);
  setStripeRuntime({ stripe: new Stripe("sk_test_unused"), mode: "emulator", webhookSecret: secret });
});
afterAll(async () => {
  await database?.drop();
});

const deep = (depth: number) => `${"[".repeat(depth)}1${"]".repeat(depth)}`;
const event = (parts: { id?: string; type?: string; created?: string; object?: string; livemode?: string }) =>
  `{"id":${parts.id ?? '"evt_ok"'},"object":"event","type":${parts.type ?? '"customer.updated"'},"created":${parts.created ?? "1796390000"},"data":{"object":${parts.object ?? '{"id":"cus_1","object":"customer"}'}},"livemode":${parts.livemode ?? "false"}}`;

async function deliver(payload: string): Promise<{ status: number; code?: string }> {
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret });
  const response = await POST(new Request("http://tally.test/api/webhooks/stripe", { method: "POST", body: payload, headers: { "content-type": "application/json", "stripe-signature": signature } }));
  return { status: response.status, code: ((await response.json()) as { error?: { code?: string } }).error?.code };
}

const stored = async () => (await database.db.select({ n: count() }).from(stripeWebhookEvents))[0]!.n;

describe("POST /api/webhooks/stripe with signed bodies that are not Stripe events", () => {
  it.each([
    ["null", "null"],
    ["an array", "[]"],
    ["a number", "12"],
    ["an empty id", event({ id: '""' })],
    ["an id without evt_", event({ id: '"x"' })],
    ["a numeric id", event({ id: "12" })],
    ["an empty type", event({ type: '""' })],
    ["no type", event({ type: "null" })],
    ["created past year 9999", event({ created: "1e20" })],
    ["a fractional created", event({ created: "1.5" })],
    ["livemode not a boolean", event({ livemode: '"yes"' })],
    ["data.object an array", event({ object: "[]" })],
    ["data.object nested 5,000 deep", event({ object: `{"a":${deep(5_000)}}` })],
    ["a NUL in the object", event({ object: '{"name":"a\\u0000b"}' })],
    ["an unpaired surrogate in a key", event({ object: '{"\\ud800":1}' })],
  ])("%s: 400 stripe_event_invalid, nothing stored", async (_name, payload) => {
    const before = await stored();
    expect(await deliver(payload)).toEqual({ status: 400, code: "stripe_event_invalid" });
    expect(await stored()).toBe(before);
  });

  it("a real event is still stored, with its customer", async () => {
    expect((await deliver(event({ id: '"evt_hostile_ok"' }))).status).toBe(200);
    const [row] = await database.db.select().from(stripeWebhookEvents).where(eq(stripeWebhookEvents.id, "evt_hostile_ok"));
    expect(row).toMatchObject({ id: "evt_hostile_ok", type: "customer.updated", stripeCustomerId: "cus_1", livemode: false });
  });
});
