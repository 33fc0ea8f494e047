import crypto from "node:crypto";
import type { FaultConfig } from "./faults";
import type { SeededRandom } from "./random";

/** Stripe's signature scheme: `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. */
export function signPayload(payload: string, secret: string, timestampSeconds: number): string {
  const signature = crypto.createHmac("sha256", secret).update(`${timestampSeconds}.${payload}`, "utf8").digest("hex");
  return `t=${timestampSeconds},v1=${signature}`;
}

export interface WebhookTarget {
  id: string;
  url: string;
  secret: string;
}

export interface DeliveryRecord {
  eventId: string;
  eventType: string;
  endpointId: string;
  attempt: number;
  status: number | null;
  error: string | null;
  deliveredAtMs: number;
}

export interface WebhookDeliveryOptions {
  /** Delay before retry n (1-based) after a failed attempt; the length bounds the retries. */
  retryDelaysMs: number[];
  timeoutMs: number;
}

interface Pending {
  sequence: number;
  target: WebhookTarget;
  eventId: string;
  eventType: string;
  payload: string;
  attempt: number;
  dueAtMs: number;
}

const queueMax = 100_000;
const recordsMax = 10_000;

/**
 * Delivers events to endpoints one at a time per endpoint, in due order, retrying non-2xx answers
 * with backoff. Faults (duplicates, reordering, delays) shift or copy queue entries.
 */
export class WebhookDeliverer {
  readonly records: DeliveryRecord[] = [];
  private readonly queues = new Map<string, Pending[]>();
  private readonly busy = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly idleWaiters: Array<() => void> = [];
  private sequence = 0;
  private closed = false;

  constructor(
    private readonly options: WebhookDeliveryOptions,
    private readonly random: () => SeededRandom,
    private readonly faults: () => FaultConfig,
    private readonly onDelivered: (eventId: string, endpointId: string) => void,
  ) {}

  enqueue(event: { id: string; type: string }, payload: string, targets: WebhookTarget[]): void {
    const faults = this.faults();
    const nowMs = Date.now();
    for (const target of targets) {
      let dueAtMs = nowMs + faults.webhookDelayMs;
      if (this.random().chance(faults.webhookReorderRate)) dueAtMs += faults.webhookReorderDelayMs;
      this.push({ sequence: this.sequence++, target, eventId: event.id, eventType: event.type, payload, attempt: 1, dueAtMs });
      if (this.random().chance(faults.webhookDuplicateRate))
        this.push({ sequence: this.sequence++, target, eventId: event.id, eventType: event.type, payload, attempt: 1, dueAtMs: dueAtMs + 1 });
    }
  }

  pendingCount(): number {
    let count = this.busy.size;
    for (const queue of this.queues.values()) count += queue.length;
    return count;
  }

  /** Resolves once nothing is queued or in flight; rejects after `timeoutMs`. */
  waitForIdle(timeoutMs = 10_000): Promise<void> {
    if (this.pendingCount() === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`webhooks still pending after ${timeoutMs} ms: ${this.pendingCount()}`)), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.queues.clear();
    this.records.length = 0;
    this.notifyIfIdle();
  }

  close(): void {
    this.closed = true;
    this.clear();
  }

  private push(item: Pending): void {
    const queue = this.queues.get(item.target.id) ?? [];
    if (queue.length >= queueMax) return;
    queue.push(item);
    queue.sort((a, b) => a.dueAtMs - b.dueAtMs || a.sequence - b.sequence);
    this.queues.set(item.target.id, queue);
    this.pump(item.target.id);
  }

  private pump(endpointId: string): void {
    if (this.closed || this.busy.has(endpointId)) return;
    const queue = this.queues.get(endpointId);
    const next = queue?.[0];
    if (queue === undefined || next === undefined) {
      this.queues.delete(endpointId);
      this.notifyIfIdle();
      return;
    }
    const waitMs = next.dueAtMs - Date.now();
    if (waitMs > 0) {
      clearTimeout(this.timers.get(endpointId));
      const timer = setTimeout(() => {
        this.timers.delete(endpointId);
        this.pump(endpointId);
      }, waitMs);
      timer.unref();
      this.timers.set(endpointId, timer);
      return;
    }
    queue.shift();
    this.busy.add(endpointId);
    void this.send(next).finally(() => {
      this.busy.delete(endpointId);
      this.pump(endpointId);
    });
  }

  private async send(item: Pending): Promise<void> {
    const timestampSeconds = Math.floor(Date.now() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const response = await fetch(item.target.url, {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
          "stripe-signature": signPayload(item.payload, item.target.secret, timestampSeconds),
        },
        body: item.payload,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    if (this.closed) return;
    this.records.push({
      eventId: item.eventId,
      eventType: item.eventType,
      endpointId: item.target.id,
      attempt: item.attempt,
      status,
      error,
      deliveredAtMs: Date.now(),
    });
    if (this.records.length > recordsMax) this.records.splice(0, this.records.length - recordsMax);
    if (status !== null && status >= 200 && status < 300) {
      this.onDelivered(item.eventId, item.target.id);
      return;
    }
    const delayMs = this.options.retryDelaysMs[item.attempt - 1];
    if (delayMs === undefined) return;
    this.push({ ...item, sequence: this.sequence++, attempt: item.attempt + 1, dueAtMs: Date.now() + delayMs });
  }

  private notifyIfIdle(): void {
    if (this.pendingCount() !== 0) return;
    const waiters = this.idleWaiters.splice(0);
    for (const waiter of waiters) waiter();
  }
}
