import { counter, fastSecondsBuckets, gauge, histogram, requestSecondsBuckets, slowSecondsBuckets } from "./metrics";

/*
 * Tally's in-process metrics, declared in one place so GET /api/metrics lists every one from the
 * first scrape (a metric declared in a module not yet loaded would be missing) and the README's
 * list has one source. Database-derived gauges are in database-gauges.ts.
 */

// Ingestion (POST /api/v1/events), counted per request from the batch's results.
export const ingestEventsTotal = counter({
  name: "tally_ingest_events_total",
  help: "Usage events received, by result (accepted, duplicate, rejected) and reject code (\"\" unless rejected).",
  labelNames: ["result", "code"],
});
export const ingestRequestDuration = histogram({
  name: "tally_ingest_request_duration_seconds",
  help: "POST /api/v1/events: from the request to its answer, by HTTP status class.",
  labelNames: ["status"],
  buckets: requestSecondsBuckets,
});
/** The ingest governor (src/server/http/ingest-governor.ts): ingestion yielding to slow checks. */
export const ingestShedRequestsTotal = counter({
  name: "tally_ingest_shed_requests_total",
  help: "POST /api/v1/events answered 503 ingest_overloaded because entitlement checks were slow (retried by the client; nothing stored).",
});
export const ingestAdmissionLimit = gauge({
  name: "tally_ingest_admission_limit_events_per_second",
  help: "Events/s ingestion admits while checks are slow; 0 while not limited.",
});
export const ingestBatchSize = histogram({
  name: "tally_ingest_batch_size_events",
  help: "Events per ingestion request.",
  buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
});

// Metering lag: an event's arrival (ingested_at) → present in the rollups, per event.
export const meteringLag = histogram({
  name: "tally_metering_lag_seconds",
  help: "From an event's arrival (ingested_at) to its presence in the hourly rollups, per event rolled up by this process.",
  buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600],
});

// Entitlement checks (POST /api/v1/entitlements/check).
export const entitlementCheckDuration = histogram({
  name: "tally_entitlement_check_duration_seconds",
  help: "POST /api/v1/entitlements/check: from the request to its answer.",
  buckets: fastSecondsBuckets,
});
export const entitlementChecksTotal = counter({
  name: "tally_entitlement_checks_total",
  help: "Entitlement checks answered, by result (allowed, warned = allowed past the allowance as billed overage, refused, error) and reason.",
  labelNames: ["result", "reason"],
});
export const entitlementCacheLookupsTotal = counter({
  name: "tally_entitlement_cache_lookups_total",
  help: "Entitlement definition cache lookups by outcome (hit, miss); hit ratio = hit / (hit + miss).",
  labelNames: ["outcome"],
});

// Stripe API (every HTTP attempt the SDK makes, from stripe-metrics.ts).
export const stripeApiRequestsTotal = counter({
  name: "tally_stripe_api_requests_total",
  help: "Stripe API HTTP attempts by method (HTTP verb and path with ids as :id) and outcome (success, client_error, rate_limited, server_error, network_error).",
  labelNames: ["method", "outcome"],
});
export const stripeApiRequestDuration = histogram({
  name: "tally_stripe_api_request_duration_seconds",
  help: "Stripe API HTTP attempt duration by method.",
  labelNames: ["method"],
  buckets: requestSecondsBuckets,
});
export const stripeApiRetriesTotal = counter({
  name: "tally_stripe_api_retries_total",
  help: "Stripe writes sent again with an idempotency key already sent (SDK retries of 429/5xx/network errors, and job retries).",
});
export const stripeApiRateLimitedTotal = counter({
  name: "tally_stripe_api_rate_limited_total",
  help: "Stripe API attempts answered 429 (rate limited).",
});

// Stripe webhooks.
export const stripeWebhookProcessedTotal = counter({
  name: "tally_stripe_webhook_events_processed_total",
  help: "Stripe webhook events applied from the inbox by this process, by outcome (processed, failed, parked).",
  labelNames: ["outcome"],
});

// Ledger.
export const ledgerTransactionsPostedTotal = counter({
  name: "tally_ledger_transactions_posted_total",
  help: "Ledger transactions newly posted by this process, by kind.",
  labelNames: ["kind"],
});

// Jobs (runJob): in this process; the last success per job across processes is a database gauge.
export const jobRuns = counter({ name: "tally_job_runs_total", help: "Job runs in this process, by job and outcome (succeeded, failed).", labelNames: ["job", "outcome"] });
export const jobDuration = histogram({ name: "tally_job_duration_seconds", help: "Job run duration in this process, by job.", labelNames: ["job"], buckets: slowSecondsBuckets });
export const ledgerVerifyDifferences = gauge({
  name: "tally_ledger_verify_differences",
  help: "Differences found by the last ledger:verify run in this process (balances, snapshots and entries that disagree).",
});

/** Every in-process metric name, for the README and the exposition test. */
export const inProcessMetricNames = [
  ingestEventsTotal,
  ingestRequestDuration,
  ingestBatchSize,
  ingestShedRequestsTotal,
  ingestAdmissionLimit,
  meteringLag,
  entitlementCheckDuration,
  entitlementChecksTotal,
  entitlementCacheLookupsTotal,
  stripeApiRequestsTotal,
  stripeApiRequestDuration,
  stripeApiRetriesTotal,
  stripeApiRateLimitedTotal,
  stripeWebhookProcessedTotal,
  ledgerTransactionsPostedTotal,
  jobRuns,
  jobDuration,
  ledgerVerifyDifferences,
].map((metric) => (metric as unknown as { name: string }).name);
