import type Stripe from "stripe";
import { defaultConfig, mergeConfig, type ConfigPatch, type EmulatorConfig } from "./config";
import { mergeFaults, noFaults, type FaultConfig } from "./faults";
import { SeededRandom } from "./random";
import { runDue } from "./scheduler";
import { Store } from "./store";
import { WebhookDeliverer } from "./webhooks";

export interface RequestContext {
  id: string;
  idempotencyKey: string | null;
}

export interface MeterEventRecord {
  identifier: string;
  eventName: string;
  customerId: string;
  /** Exact decimal string, as sent. */
  value: string;
  timestamp: number;
  created: number;
}

/** How a card behaves when charged; test tokens decide it, tests may override it. */
export type CardBehavior = { outcome: "succeed" } | { outcome: "decline"; declineCode: string };

export interface EngineOptions {
  seed?: number;
  /** The emulator's own clock starts here (unix seconds) and then follows real time; default: real time. */
  startTime?: number;
  config?: ConfigPatch;
  faults?: Partial<FaultConfig>;
}

/** All emulator state, and the few operations every resource needs: ids, clocks, events. */
export class Engine {
  readonly store = new Store();
  config: EmulatorConfig;
  faults: FaultConfig;
  random: SeededRandom;
  readonly webhooks: WebhookDeliverer;
  /** The API request being executed, stamped on the events it causes. */
  request: RequestContext | null = null;
  /** Where the server listens; used for hosted invoice links. */
  baseUrl = "http://127.0.0.1";
  readonly meterEvents: MeterEventRecord[] = [];
  readonly meterIdentifiers = new Map<string, number>();
  /** Invoice id → its automatic collection state; the retry schedule counts from the first failure. */
  readonly dunning = new Map<string, { firstFailedAt: number; automaticAttempts: number }>();
  readonly cardBehavior = new Map<string, CardBehavior>();
  /** Payout id → the clock whose transactions it paid out (null: the emulator's own clock). */
  readonly payoutClocks = new Map<string, string | null>();
  /** Clock → the midnight of its last automatic payout run. */
  readonly payoutRuns = new Map<string | null, number>();
  /** Balance transaction id → the payout that paid it out (Stripe's `payout=` filter). */
  readonly payoutOfBalanceTransaction = new Map<string, string>();
  /** Counters tests use to check that faults really happened. */
  readonly stats = { rateLimited: 0, serverErrorsBefore: 0, serverErrorsAfter: 0, idempotentReplays: 0 };
  private globalOffsetSeconds: number;
  private pinnedGlobalTime: number | null = null;
  private readonly seed: number;

  constructor(options: EngineOptions = {}) {
    this.seed = options.seed ?? 1;
    this.random = new SeededRandom(this.seed);
    this.config = mergeConfig(defaultConfig(), options.config ?? {});
    this.faults = mergeFaults(noFaults, options.faults ?? {});
    this.globalOffsetSeconds = options.startTime === undefined ? 0 : options.startTime - realSeconds();
    this.webhooks = new WebhookDeliverer(
      this.config.webhooks,
      () => this.random,
      () => this.faults,
      (eventId) => {
        const event = this.store.get("event", eventId);
        if (event !== undefined && event.pending_webhooks > 0) event.pending_webhooks -= 1;
      },
    );
  }

  id(prefix: string, length = 24): string {
    return `${prefix}_${this.random.string(length)}`;
  }

  globalNow(): number {
    return this.pinnedGlobalTime ?? realSeconds() + this.globalOffsetSeconds;
  }

  /** Moves a clock while due work runs, so objects it creates carry the time the work was due. */
  setClockTime(clockId: string | null, time: number): void {
    if (clockId === null) {
      this.pinnedGlobalTime = time;
      return;
    }
    const clock = this.store.require("test_helpers.test_clock", clockId);
    clock.frozen_time = time;
  }

  releaseGlobalClock(): void {
    this.pinnedGlobalTime = null;
  }

  clockNow(clockId: string | null): number {
    if (clockId === null) return this.globalNow();
    const clock = this.store.get("test_helpers.test_clock", clockId);
    return clock === undefined ? this.globalNow() : clock.frozen_time;
  }

  clockOfCustomer(customerId: string | null | undefined): string | null {
    if (customerId === null || customerId === undefined) return null;
    const customer = this.store.get("customer", customerId);
    const clock = customer?.test_clock;
    return typeof clock === "string" ? clock : (clock?.id ?? null);
  }

  nowForCustomer(customerId: string | null | undefined): number {
    return this.clockNow(this.clockOfCustomer(customerId));
  }

  /** The clock an object lives on: its own `test_clock`, else its customer's, else the emulator's. */
  clockOfObject(object: object): string | null {
    const record = object as { test_clock?: unknown; customer?: unknown; object?: string; id?: string };
    if (record.object === "test_helpers.test_clock" && typeof record.id === "string") return record.id;
    if (record.object === "payout" && typeof record.id === "string") return this.payoutClocks.get(record.id) ?? null;
    if (typeof record.test_clock === "string") return record.test_clock;
    if (typeof record.customer === "string") return this.clockOfCustomer(record.customer);
    return null;
  }

  emit(type: string, object: object, previousAttributes?: Record<string, unknown>): Stripe.EventBase {
    const endpoints = this.store
      .all("webhook_endpoint")
      .filter((endpoint) => endpoint.status === "enabled" && (endpoint.enabled_events.includes("*") || endpoint.enabled_events.includes(type)));
    const event = {
      id: this.id("evt"),
      object: "event" as const,
      api_version: this.config.apiVersion,
      created: this.clockNow(this.clockOfObject(object)),
      data: {
        object: snapshot(object),
        ...(previousAttributes === undefined ? {} : { previous_attributes: previousAttributes }),
      },
      livemode: false,
      pending_webhooks: endpoints.length,
      request: { id: this.request?.id ?? null, idempotency_key: this.request?.idempotencyKey ?? null },
      type,
    } as unknown as Stripe.EventBase;
    this.store.insert("event", event);
    if (endpoints.length > 0) {
      const payload = JSON.stringify(event, null, 2);
      this.webhooks.enqueue(
        event,
        payload,
        endpoints.map((endpoint) => ({ id: endpoint.id, url: endpoint.url, secret: endpoint.secret ?? "" })),
      );
    }
    return event;
  }

  /** Runs `mutate` and, if the object changed, emits `eventType` with Stripe's `previous_attributes`. */
  track(object: object, eventType: string | null, mutate: () => void): boolean {
    const before = snapshot(object);
    mutate();
    const after = snapshot(object);
    const previous: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) previous[key] = before[key] ?? null;
    }
    if (Object.keys(previous).length === 0) return false;
    if (eventType !== null) this.emit(eventType, object, previous);
    return true;
  }

  /** Runs everything due on a clock (renewals, finalizations, payment retries) up to `until`, in time order. */
  runDue(clockId: string | null, until: number): void {
    runDue(this, clockId, until);
  }

  runGlobalDue(): void {
    this.runDue(null, this.globalNow());
  }

  advanceGlobalClock(seconds: number): void {
    if (!(seconds >= 0)) throw new Error("can only move the emulator's clock forward");
    this.globalOffsetSeconds += seconds;
    this.runGlobalDue();
  }

  setConfig(patch: ConfigPatch): void {
    this.config = mergeConfig(this.config, patch);
  }

  setFaults(patch: Partial<FaultConfig>): void {
    this.faults = mergeFaults(this.faults, patch);
  }

  reset(): void {
    this.store.clear();
    this.meterEvents.length = 0;
    this.meterIdentifiers.clear();
    this.dunning.clear();
    this.cardBehavior.clear();
    this.payoutClocks.clear();
    this.payoutRuns.clear();
    this.payoutOfBalanceTransaction.clear();
    this.webhooks.clear();
    this.random = new SeededRandom(this.seed);
  }
}

function realSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function snapshot<T>(object: T): Record<string, unknown> {
  return JSON.parse(JSON.stringify(object)) as Record<string, unknown>;
}

/** A deep copy that keeps immutable value objects (the SDK's Decimal) by reference; structuredClone would strip their methods. */
export function cloneDeep<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((element: unknown) => cloneDeep(element)) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, element] of Object.entries(value as Record<string, unknown>)) copy[key] = cloneDeep(element);
  return copy as T;
}
