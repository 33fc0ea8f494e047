/*
 * Ingestion yields to the entitlement check when the two compete for the machine.
 *
 * The check sits in the product's request path: a user waits on it, and a slow one costs the
 * product an outage. Ingestion is asynchronous by nature: its clients buffer and retry, and an
 * event stored a second later is billed the same. On two cores, ingestion at 20,000 events/s
 * and checks at 1,000/s do not fit together (README, issue 16), and without a choice both
 * queue: checks fell a minute behind. So when checks answered in this process get slow, this
 * governor limits the events/s that ingestion admits (a token bucket), answering the rest
 * 503 `ingest_overloaded` with Retry-After before their bodies are read or parsed; nothing is
 * stored from a refused request, so the client's retry is safe.
 *
 * The limit adapts (additive increase, multiplicative decrease, like TCP's congestion window):
 * every window of `windowMs`, if at least `checksMin` checks were answered and more than 1% of
 * them took longer than `checkTargetMs`, the limit drops to `decrease` × what ingestion
 * admitted in that window; otherwise it grows by `increase` events/s per window and is lifted
 * once past what ingestion asks for, or at once when a window has too few checks to judge. With
 * few or no checks (a quiet product, a backfill, the tests) ingestion is never limited. Per process; TALLY_INGEST_GOVERNOR=off
 * turns it off.
 */

export type IngestGovernorOptions = {
  /** A check slower than this counts as slow (the check's p99 target). */
  checkTargetMs: number;
  windowMs: number;
  /** Fewer checks in a window than this say nothing about their latency. */
  checksMin: number;
  /** The limit never falls below this (events/s): ingestion always makes progress. */
  floorPerSecond: number;
  decrease: number;
  increase: number;
};

export const ingestGovernorDefaults: IngestGovernorOptions = {
  checkTargetMs: 10,
  windowMs: 1_000,
  checksMin: 100,
  floorPerSecond: 2_000,
  decrease: 0.75,
  increase: 1_000,
};

export type IngestAdmission = { admitted: true } | { admitted: false; retryAfterSeconds: number };

export class IngestGovernor {
  private readonly options: IngestGovernorOptions;
  /** Events/s admitted; null: no limit. */
  private limitPerSecond: number | null = null;
  private tokens = 0;
  private refilledAtMs: number;
  private windowStartMs: number;
  private windowChecks = 0;
  private windowSlowChecks = 0;
  private windowAdmittedEvents = 0;
  private windowRefusedRequests = 0;
  /** Totals since start, for metrics and tests. */
  readonly totals = { refusedRequests: 0, limitedWindows: 0 };

  constructor(
    options: Partial<IngestGovernorOptions> = {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.options = { ...ingestGovernorDefaults, ...options };
    this.refilledAtMs = this.now();
    this.windowStartMs = this.refilledAtMs;
  }

  /** The current limit in events/s, or null when ingestion is not limited. */
  get limit(): number | null {
    this.advance();
    return this.limitPerSecond;
  }

  /** After a check answered: how long it took. */
  observeCheck(durationMs: number): void {
    this.advance();
    this.windowChecks++;
    if (durationMs > this.options.checkTargetMs) this.windowSlowChecks++;
  }

  /** Before an ingestion request's body is read: whether to take it now. */
  admit(): IngestAdmission {
    this.advance();
    if (this.limitPerSecond === null) return { admitted: true };
    this.refill();
    if (this.tokens >= 0) return { admitted: true };
    this.windowRefusedRequests++;
    this.totals.refusedRequests++;
    return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil(-this.tokens / this.limitPerSecond)) };
  }

  /** After an admitted request was parsed: its events draw on the bucket (it may go into debt). */
  charge(events: number): void {
    this.advance();
    this.windowAdmittedEvents += events;
    if (this.limitPerSecond === null) return;
    this.refill();
    this.tokens -= events;
  }

  private refill(): void {
    const now = this.now();
    const limit = this.limitPerSecond ?? 0;
    // A burst of at most a quarter second's worth: a batch is admitted whole, then paid for.
    this.tokens = Math.min(limit / 4, this.tokens + ((now - this.refilledAtMs) / 1000) * limit);
    this.refilledAtMs = now;
  }

  /** Closes every window that has ended and adapts the limit to what it saw. */
  private advance(): void {
    const now = this.now();
    if (now - this.windowStartMs < this.options.windowMs) return;
    const seconds = (now - this.windowStartMs) / 1000;
    const admittedPerSecond = this.windowAdmittedEvents / seconds;
    const enoughChecks = this.windowChecks >= this.options.checksMin;
    const slow = enoughChecks && this.windowSlowChecks > this.windowChecks * 0.01;
    if (slow) {
      const base = this.limitPerSecond === null ? admittedPerSecond : Math.min(this.limitPerSecond, Math.max(admittedPerSecond, this.options.floorPerSecond));
      this.refill();
      this.limitPerSecond = Math.max(this.options.floorPerSecond, base * this.options.decrease);
      this.tokens = Math.min(this.tokens, 0);
      this.totals.limitedWindows++;
    } else if (!enoughChecks) {
      // No checks to judge by (they stopped, or too few): nothing for ingestion to yield to.
      this.limitPerSecond = null;
    } else if (this.limitPerSecond !== null) {
      this.refill();
      this.limitPerSecond += this.options.increase;
      // Lifted once ingestion no longer asks for more than the limit (nothing refused, room left).
      if (this.windowRefusedRequests === 0 && admittedPerSecond < this.limitPerSecond * 0.5) this.limitPerSecond = null;
    }
    this.windowStartMs = now;
    this.windowChecks = 0;
    this.windowSlowChecks = 0;
    this.windowAdmittedEvents = 0;
    this.windowRefusedRequests = 0;
  }
}

const holderKey = Symbol.for("tally.ingestGovernor");

/**
 * The process's governor, or null when TALLY_INGEST_GOVERNOR=off (vitest sets it: test files
 * share worker processes, and a loaded CI's slow checks in one file would throttle the next
 * file's ingestion; the governor's own tests install one).
 */
export function ingestGovernor(): IngestGovernor | null {
  if (process.env.TALLY_INGEST_GOVERNOR === "off") return null;
  const holder = globalThis as Record<symbol, IngestGovernor | undefined>;
  return (holder[holderKey] ??= new IngestGovernor());
}

/** Tests: this process's governor from now on (undefined: a fresh default one when next asked). */
export function replaceIngestGovernor(governor: IngestGovernor | undefined): void {
  (globalThis as Record<symbol, IngestGovernor | undefined>)[holderKey] = governor;
}
