import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration } from "prom-client";

/*
 * The process's Prometheus registry and the helpers every part of Tally declares its metrics
 * with. Served at GET /api/metrics (src/app/api/metrics/route.ts). Names follow Prometheus
 * conventions: `tally_` prefix, base units (`_seconds`, `_bytes`), counters end in `_total`.
 *
 * Declaring a metric twice (Next loads a module once per bundle, `next dev` reloads) returns
 * the one already registered, so declare metrics at module level where they are used:
 *
 *   const checks = counter({ name: "tally_entitlement_checks_total", help: "...", labelNames: ["result"] });
 *   checks.inc({ result: "allowed" });
 *
 * On hot paths, keep a label set's child (`checks.labels("allowed")`) in a constant and count
 * per request or batch, never per event.
 */

const registryKey = Symbol.for("tally.observability.registry");
const holder = globalThis as Record<symbol, unknown>;

function createRegistry(): Registry {
  const registry = new Registry();
  // Node's process metrics: CPU, heap, event loop lag, GC, handles (standard names, no prefix).
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  return registry;
}

export const metricsRegistry: Registry = (holder[registryKey] ??= createRegistry()) as Registry;

export function counter<Label extends string = string>(config: Omit<CounterConfiguration<Label>, "registers">): Counter<Label> {
  return (metricsRegistry.getSingleMetric(config.name) as Counter<Label> | undefined) ?? new Counter({ ...config, registers: [metricsRegistry] });
}

export function gauge<Label extends string = string>(config: Omit<GaugeConfiguration<Label>, "registers">): Gauge<Label> {
  return (metricsRegistry.getSingleMetric(config.name) as Gauge<Label> | undefined) ?? new Gauge({ ...config, registers: [metricsRegistry] });
}

export function histogram<Label extends string = string>(config: Omit<HistogramConfiguration<Label>, "registers">): Histogram<Label> {
  return (metricsRegistry.getSingleMetric(config.name) as Histogram<Label> | undefined) ?? new Histogram({ ...config, registers: [metricsRegistry] });
}

/** Bucket bounds in seconds for work that takes milliseconds (an entitlement check, a query). */
export const fastSecondsBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Bucket bounds in seconds for requests and calls that take up to seconds (a batch, a Stripe call). */
export const requestSecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Bucket bounds in seconds for jobs and lags (seconds to an hour). */
export const slowSecondsBuckets = [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** Seconds since `startMs` (a `performance.now()` reading). */
export function secondsSince(startMs: number): number {
  return (performance.now() - startMs) / 1000;
}

/**
 * Adds `weight` observations of `value` to a histogram without labels in one step — e.g. a
 * rollup claim's lag for each of its N events — instead of N calls to observe().
 */
export function observeMany(target: Histogram, value: number, weight: number): void {
  if (weight <= 0 || !Number.isFinite(value)) return;
  target.observe(value);
  if (weight === 1) return;
  // prom-client has no weighted observe; its per-series record (bucket counts, sum, count) is
  // updated the way observe() does. observe-many.test.ts pins this against the exposition.
  const series = (target as unknown as { hashMap: Record<string, { bucketValues: Record<number, number>; sum: number; count: number }> }).hashMap[""];
  if (!series) return;
  const extra = weight - 1;
  series.sum += value * extra;
  series.count += extra;
  const bound = (target as unknown as { upperBounds: number[] }).upperBounds.find((upper) => value <= upper);
  if (bound !== undefined) series.bucketValues[bound] = (series.bucketValues[bound] ?? 0) + extra;
}

/** The exposition (Prometheus text format 0.0.4) and its content type. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}
