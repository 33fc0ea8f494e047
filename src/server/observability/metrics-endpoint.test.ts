import parsePrometheusTextFormat, { type PrometheusFamily } from "parse-prometheus-text-format";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as metricsRoute } from "@/app/api/metrics/route";
import { POST as checkRoute } from "@/app/api/v1/entitlements/check/route";
import { POST as eventsRoute } from "@/app/api/v1/events/route";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { createEntitlementCatalog, createSubscribedCustomer } from "@/server/entitlements/test-fixtures";
import { useRouteDatabase } from "@/server/http/use-route-database";
import { rollUpOnce } from "@/server/metering/run-rollup-worker";
import { cloudEvent } from "@/server/metering/test-events";
import { createStripeClient } from "@/server/stripe/stripe-client";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { startWithClient, type EmulatorFixture } from "~/tools/stripe-emulator/test-support";
import { forgetDatabaseGauges } from "./database-gauges";
import { withRequestContext } from "./request-context";
import { inProcessMetricNames } from "./tally-metrics";

let database: TestDatabase;
let emulator: EmulatorFixture;
let ingestKey: string;
let entitlementsKey: string;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  useRouteDatabase(database);
  emulator = await startWithClient();
  ingestKey = (await createApiKey(database.db, { actor: systemActor("test"), name: "ingest", scopes: ["ingest"] })).key;
  entitlementsKey = (await createApiKey(database.db, { actor: systemActor("test"), name: "edge", scopes: ["entitlements"] })).key;
});
afterAll(async () => {
  await emulator?.emulator.close();
  await database?.drop();
});

function post(path: string, body: unknown, key: string, contentType = "application/json"): Request {
  return new Request(`http://tally.test${path}`, { method: "POST", body: JSON.stringify(body), headers: { authorization: `Bearer ${key}`, "content-type": contentType } });
}

async function scrape(headers: Record<string, string> = {}): Promise<{ status: number; families: Map<string, PrometheusFamily>; text: string }> {
  const response = await withRequestContext({ remoteAddress: "127.0.0.1" }, () => metricsRoute(new Request("http://tally.test/api/metrics", { headers })));
  const text = await response.text();
  if (response.status !== 200) return { status: response.status, families: new Map(), text };
  expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4");
  return { status: 200, families: new Map(parsePrometheusTextFormat(text).map((family) => [family.name, family])), text };
}

function sample(families: Map<string, PrometheusFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.get(name);
  const found = family?.metrics.find((metric) => Object.entries(labels).every(([key, value]) => metric.labels?.[key] === value));
  if (!found) return undefined;
  return Number(found.value ?? found.count);
}

describe("GET /api/metrics", () => {
  it("exposes every metric in Prometheus text format, with what the hot paths, rollups, Stripe calls and the database say", async () => {
    const before = await scrape();
    const acceptedBefore = sample(before.families, "tally_ingest_events_total", { result: "accepted" }) ?? 0;
    const refusedBefore = sample(before.families, "tally_entitlement_checks_total", { result: "refused", reason: "allowance_exhausted" }) ?? 0;

    const events = [cloudEvent({ id: "m1" }), cloudEvent({ id: "m2" }), cloudEvent({ id: "m1" }), { ...cloudEvent({ id: "m3" }), time: "yesterday" }];
    expect((await eventsRoute(post("/api/v1/events", events, ingestKey, "application/cloudevents-batch+json"))).status).toBe(200);
    // The worker's step, until both accepted events are rolled up (a claim waits for older transactions).
    for (let rolled = 0, attempt = 0; rolled < 2 && attempt < 100; attempt++) {
      rolled += await rollUpOnce(database.db);
      if (rolled < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const catalog = await createEntitlementCatalog(database.db);
    const version = await catalog.publish([{ featureKey: catalog.featureKeys.requests, kind: "metered", meterKey: catalog.meterKeys.requests, allowancePerPeriod: "5", overage: "block" }]);
    const customer = await createSubscribedCustomer(database.db, { planVersionId: version.id, anchor: new Date(Date.now() - 86_400_000) });
    for (const quantity of ["1", "9"]) {
      expect((await checkRoute(post("/api/v1/entitlements/check", { customer: customer.externalId, feature: catalog.featureKeys.requests, quantity }, entitlementsKey))).status).toBe(200);
    }

    const { stripe } = createStripeClient({ emulatorPort: emulator.emulator.port, emulatorHost: emulator.emulator.host, maxNetworkRetries: 0 });
    const created = await stripe.customers.create({ name: "Metrics" }, { idempotencyKey: "tally:test:metrics" });
    await stripe.customers.create({ name: "Metrics" }, { idempotencyKey: "tally:test:metrics" });
    await stripe.customers.retrieve(created.id);
    await expect(stripe.customers.retrieve("cus_missing")).rejects.toThrow();

    await database.db.execute(sql.raw(`insert into stripe_webhook_events (id, type, created, payload, status, received_at)
      values ('evt_metrics_1', 'invoice.paid', now(), '{}'::jsonb, 'pending', now() - interval '90 seconds')`));

    forgetDatabaseGauges();
    const after = await scrape();
    for (const name of [
      ...inProcessMetricNames,
      "tally_metering_rollup_backlog_events",
      "tally_metering_rollup_oldest_pending_age_seconds",
      "tally_stripe_webhook_inbox_events",
      "tally_stripe_webhook_oldest_pending_age_seconds",
      "tally_reconciliation_open_discrepancies",
      "tally_reconciliation_open_discrepancy_amount_micros",
      "tally_metrics_database_up",
      "process_cpu_seconds_total",
      "nodejs_eventloop_lag_seconds",
      "nodejs_heap_size_used_bytes",
      "nodejs_gc_duration_seconds",
    ]) {
      expect(after.families.has(name), name).toBe(true);
    }
    expect(sample(after.families, "tally_ingest_events_total", { result: "accepted" })).toBe(acceptedBefore + 2);
    expect(sample(after.families, "tally_ingest_events_total", { result: "rejected", code: "invalid_time" })).toBeGreaterThanOrEqual(1);
    expect(sample(after.families, "tally_ingest_batch_size_events")).toBeGreaterThanOrEqual(1);
    expect(sample(after.families, "tally_metering_lag_seconds")).toBeGreaterThanOrEqual(2);
    expect(sample(after.families, "tally_entitlement_checks_total", { result: "refused", reason: "allowance_exhausted" })).toBe(refusedBefore + 1);
    expect(sample(after.families, "tally_entitlement_check_duration_seconds")).toBeGreaterThanOrEqual(2);
    expect(sample(after.families, "tally_stripe_api_requests_total", { method: "POST /v1/customers", outcome: "success" })).toBe(2);
    expect(sample(after.families, "tally_stripe_api_requests_total", { method: "GET /v1/customers/:id", outcome: "client_error" })).toBe(1);
    expect(sample(after.families, "tally_stripe_api_retries_total")).toBe(1);
    expect(sample(after.families, "tally_stripe_webhook_inbox_events", { status: "pending" })).toBe(1);
    expect(sample(after.families, "tally_stripe_webhook_oldest_pending_age_seconds")).toBeGreaterThanOrEqual(89);
    expect(sample(after.families, "tally_metering_rollup_backlog_events")).toBe(0);
    expect(sample(after.families, "tally_metrics_database_up")).toBe(1);
    // Conventions: prefix, counters end in _total, no metric without help.
    for (const family of after.families.values()) {
      expect(family.help.length, family.name).toBeGreaterThan(0);
      if (family.type === "COUNTER") expect(family.name, family.name).toMatch(/_total$/);
      if (!/^(process_|nodejs_)/.test(family.name)) expect(family.name).toMatch(/^tally_/);
    }
  });
});
