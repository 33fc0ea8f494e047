import http from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import type { ConfigPatch, EmulatorConfig } from "./config";
import { Engine, type CardBehavior } from "./engine";
import type { FaultConfig } from "./faults";
import { IdempotencyCache } from "./idempotency";
import { allRoutes } from "./routes";
import { handleRequest } from "./server";
import type { StoredObjects, ObjectName } from "./store";
import type { DeliveryRecord } from "./webhooks";
import { createWebhookEndpoint } from "./resources/webhook-endpoints";

export type { ConfigPatch, EmulatorConfig, FaultConfig, DeliveryRecord, StoredObjects, ObjectName, CardBehavior };
export { signPayload } from "./webhooks";
export { prorate, roundHalfAwayFromZero } from "./money";

export interface StartStripeEmulatorOptions {
  /** 0 picks a free port. Default 12111. */
  port?: number;
  host?: string;
  /** Seed for ids, fault decisions and webhook disorder; the same seed repeats a run. Default 1. */
  seed?: number;
  /** Start the emulator's own clock at this unix time (it then follows real time). Default: now. */
  startTime?: number;
  config?: ConfigPatch;
  faults?: Partial<FaultConfig>;
  /** Run due work on the emulator's own clock (customers without a test clock) every this many ms. Default 1000; 0 disables. */
  tickIntervalMs?: number;
}

export interface StripeEmulator {
  /** e.g. http://127.0.0.1:12111 */
  url: string;
  host: string;
  port: number;
  /** Options for `new Stripe(key, stripeClientOptions)` that point the SDK at this emulator. */
  stripeClientOptions: { host: string; port: number; protocol: "http"; apiVersion: typeof Stripe.API_VERSION };
  close(): Promise<void>;
  /** Replace some fault settings (merged with the current ones). */
  setFaults(faults: Partial<FaultConfig>): void;
  setConfig(config: ConfigPatch): void;
  /** Make a payment method succeed or decline from now on. */
  setCardBehavior(paymentMethodId: string, behavior: CardBehavior): void;
  clock: {
    /** The emulator's own clock (unix seconds), used by customers without a test clock. */
    now(): number;
    /** Move the emulator's own clock forward, running what falls due in order. */
    advance(seconds: number): void;
  };
  webhooks: {
    /** Resolves when no delivery is queued or in flight. */
    waitForIdle(timeoutMs?: number): Promise<void>;
    deliveries(): DeliveryRecord[];
    /**
     * Creates an endpoint, optionally with a fixed signing `secret` (e.g. the `STRIPE_WEBHOOK_SECRET` of a
     * dev server). Stripe's API has no such parameter, so this exists only here and in the control API.
     */
    createEndpoint(input: { url: string; enabled_events: string[]; secret?: string; description?: string }): Stripe.WebhookEndpoint;
  };
  state: {
    get<N extends ObjectName>(name: N, id: string): StoredObjects[N] | undefined;
    list<N extends ObjectName>(name: N): StoredObjects[N][];
    count(name: ObjectName): number;
  };
  /** Forget every object, event and saved idempotent response. */
  reset(): void;
  /** The engine itself, for tests that need to look deeper. */
  engine: Engine;
}

export async function startStripeEmulator(options: StartStripeEmulatorOptions = {}): Promise<StripeEmulator> {
  const engine = new Engine({ seed: options.seed, startTime: options.startTime, config: options.config, faults: options.faults });
  const idempotency = new IdempotencyCache();
  const server = http.createServer((request, response) => {
    void handleRequest(engine, allRoutes, idempotency, request, response);
  });
  server.keepAliveTimeout = 5_000;
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 12111, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  engine.baseUrl = url;
  const tickIntervalMs = options.tickIntervalMs ?? 1000;
  const ticker = tickIntervalMs > 0 ? setInterval(() => safeTick(engine), tickIntervalMs) : null;
  ticker?.unref();
  return {
    url,
    host,
    port,
    stripeClientOptions: { host, port, protocol: "http", apiVersion: Stripe.API_VERSION },
    async close() {
      if (ticker !== null) clearInterval(ticker);
      engine.webhooks.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    setFaults: (faults) => engine.setFaults(faults),
    setConfig: (config) => engine.setConfig(config),
    setCardBehavior: (paymentMethodId, behavior) => {
      engine.store.require("payment_method", paymentMethodId);
      engine.cardBehavior.set(paymentMethodId, behavior);
    },
    clock: { now: () => engine.globalNow(), advance: (seconds) => engine.advanceGlobalClock(seconds) },
    webhooks: {
      waitForIdle: (timeoutMs) => engine.webhooks.waitForIdle(timeoutMs),
      deliveries: () => [...engine.webhooks.records],
      createEndpoint: (input) =>
        createWebhookEndpoint(engine, {
          url: input.url,
          enabledEvents: input.enabled_events,
          ...(input.secret === undefined ? {} : { secret: input.secret }),
          description: input.description ?? null,
        }),
    },
    state: {
      get: (name, id) => engine.store.get(name, id),
      list: (name) => engine.store.all(name),
      count: (name) => engine.store.count(name),
    },
    reset: () => {
      engine.reset();
      idempotency.clear();
    },
    engine,
  };
}

function safeTick(engine: Engine): void {
  try {
    engine.runGlobalDue();
  } catch (caught) {
    console.error("[stripe-emulator] scheduled work failed", caught);
  }
}

export type StripeClient = Stripe;
