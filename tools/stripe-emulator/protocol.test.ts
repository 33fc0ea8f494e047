import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWithClient, type EmulatorFixture } from "./test-support";

let fixture: EmulatorFixture;
let stripe: Stripe;

beforeAll(async () => {
  fixture = await startWithClient({ seed: 7 });
  stripe = fixture.stripe;
});
afterAll(async () => {
  await fixture.emulator.close();
});

describe("Stripe's edges", () => {
  it("replays an idempotent request and refuses the same key with other parameters", async () => {
    const first = await stripe.customers.create({ email: "same@example.com" }, { idempotencyKey: "tally-customer-1" });
    const second = await stripe.customers.create({ email: "same@example.com" }, { idempotencyKey: "tally-customer-1" });
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers["idempotent-replayed"]).toBe("true");
    expect(first.lastResponse.headers["idempotent-replayed"]).toBeUndefined();
    const conflict = await stripe.customers.create({ email: "other@example.com" }, { idempotencyKey: "tally-customer-1" }).catch((caught: unknown) => caught);
    expect(conflict).toMatchObject({ type: "StripeIdempotencyError", statusCode: 400 });
    const all = await stripe.customers.list({ email: "same@example.com" });
    expect(all.data).toHaveLength(1);
  });

  it("paginates newest first with starting_after, ending_before and has_more", async () => {
    const created: string[] = [];
    for (let index = 0; index < 25; index += 1) created.push((await stripe.products.create({ name: `P${index}`, metadata: { batch: "pages" } })).id);
    const newestFirst = [...created].reverse();
    const page1 = await stripe.products.list({ limit: 10 });
    expect(page1).toMatchObject({ object: "list", has_more: true, url: "/v1/products" });
    expect(page1.data.map((product) => product.id)).toEqual(newestFirst.slice(0, 10));
    const page2 = await stripe.products.list({ limit: 10, starting_after: page1.data[9]?.id });
    expect(page2.data.map((product) => product.id)).toEqual(newestFirst.slice(10, 20));
    const back = await stripe.products.list({ limit: 5, ending_before: page2.data[0]?.id });
    expect(back.data.map((product) => product.id)).toEqual(newestFirst.slice(5, 10));
    expect(back.has_more).toBe(true);
    const everything: string[] = [];
    for await (const product of stripe.products.list({ limit: 7 })) everything.push(product.id);
    expect(everything.filter((id) => created.includes(id))).toEqual(newestFirst);
    const tooMany = await stripe.products.list({ limit: 101 }).catch((caught: unknown) => caught);
    expect(tooMany).toMatchObject({ statusCode: 400, param: "limit" });
  });

  it("answers errors with Stripe's shapes and statuses", async () => {
    const missing = await stripe.customers.retrieve("cus_doesnotexist").catch((caught: unknown) => caught);
    expect(missing).toMatchObject({ type: "StripeInvalidRequestError", statusCode: 404, code: "resource_missing", param: "id", message: "No such customer: 'cus_doesnotexist'" });
    const noParam = await stripe.prices.create({ currency: "usd", unit_amount: 100 } as Stripe.PriceCreateParams).catch((caught: unknown) => caught);
    expect(noParam).toMatchObject({ statusCode: 400, code: "parameter_missing", param: "product" });
    const badInteger = await fetch(`${fixture.emulator.url}/v1/customers?limit=abc`, { headers: { authorization: "Bearer sk_test_x" } });
    expect(badInteger.status).toBe(400);
    expect(await badInteger.json()).toMatchObject({ error: { type: "invalid_request_error", param: "limit", message: "Invalid integer: abc" } });

    const noKey = await fetch(`${fixture.emulator.url}/v1/customers`);
    expect(noKey.status).toBe(401);
    expect(((await noKey.json()) as { error: { message: string } }).error.message).toMatch(/did not provide an API key/);
    const live = new Stripe("sk_live_nope", { ...fixture.emulator.stripeClientOptions, maxNetworkRetries: 0 });
    const badKey = await live.customers.list().catch((caught: unknown) => caught);
    expect(badKey).toMatchObject({ type: "StripeAuthenticationError", statusCode: 401 });
    const unknown = await fetch(`${fixture.emulator.url}/v1/nothing_here`, { headers: { authorization: "Bearer sk_test_x", "stripe-version": "2020-08-27" } });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("stripe-version")).toBe("2020-08-27");
    expect(unknown.headers.get("request-id")).toMatch(/^req_/);
  });

  it("with 10% 500s and 10% 429s, idempotent creates retried by the SDK never duplicate", async () => {
    const flaky = await startWithClient({ seed: 42, faults: { serverErrorRate: 0.1, rateLimitRate: 0.1, serverErrorAfterExecutionShare: 1 } }, { maxNetworkRetries: 2 });
    try {
      const count = 30;
      for (let index = 0; index < count; index += 1) {
        const key = `tally-flaky-${index}`;
        // The SDK retries up to twice; a caller that still sees an error retries with the same key.
        for (let attempt = 0; attempt < 10; attempt += 1) {
          const outcome = await flaky.stripe.customers.create({ email: `u${index}@example.com`, metadata: { index: String(index) } }, { idempotencyKey: key }).catch((caught: unknown) => caught);
          if (!(outcome instanceof Error)) break;
        }
      }
      const stats = flaky.emulator.engine.stats;
      expect(stats.rateLimited + stats.serverErrorsBefore + stats.serverErrorsAfter).toBeGreaterThan(0);
      expect(stats.serverErrorsAfter).toBeGreaterThan(0);
      expect(stats.idempotentReplays).toBeGreaterThan(0);
      const customers = flaky.emulator.state.list("customer");
      expect(customers).toHaveLength(count);
      expect(new Set(customers.map((customer) => customer.email)).size).toBe(count);
    } finally {
      await flaky.emulator.close();
    }
  }, 120_000);
});
