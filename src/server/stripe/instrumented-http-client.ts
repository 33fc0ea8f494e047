import Stripe from "stripe";
import { stripeApiRateLimitedTotal, stripeApiRequestDuration, stripeApiRequestsTotal, stripeApiRetriesTotal } from "@/server/observability/tally-metrics";

type HttpClient = ReturnType<typeof Stripe.createNodeHttpClient>;

/** Idempotency keys sent recently, to tell a retry from a first attempt (bounded: oldest dropped first). */
const recentKeys = new Set<string>();
const recentKeysMax = 10_000;

/**
 * `POST /v1/invoices/in_123/finalize` → `POST /v1/invoices/:id/finalize`: the metric's `method`
 * label, with object ids (anything with an underscore or a digit after the version) replaced,
 * so the label has as many values as the API has endpoints, not objects.
 */
export function stripeMethodLabel(method: string, path: string): string {
  const queryAt = path.indexOf("?");
  const bare = queryAt === -1 ? path : path.slice(0, queryAt);
  const segments = bare.split("/").map((segment, index) => (index > 1 && /[_\d]/.test(segment) ? ":id" : segment));
  return `${method.toUpperCase()} ${segments.join("/")}`;
}

function outcomeOf(status: number): "success" | "client_error" | "rate_limited" | "server_error" {
  if (status === 429) return "rate_limited";
  if (status >= 500) return "server_error";
  if (status >= 400) return "client_error";
  return "success";
}

/**
 * The SDK's Node HTTP client, counting every attempt (the SDK's own retries included) by method
 * and outcome, with its duration, 429s, and retries (an idempotency key sent before).
 */
export function createInstrumentedHttpClient(): HttpClient {
  const base = Stripe.createNodeHttpClient();
  const client = Object.create(base) as HttpClient;
  client.makeRequest = async (host, port, path, method, headers, requestData, protocol, timeout) => {
    const label = stripeMethodLabel(method, path);
    const key = headers["Idempotency-Key"];
    if (typeof key === "string") {
      if (recentKeys.has(key)) stripeApiRetriesTotal.inc();
      else {
        if (recentKeys.size >= recentKeysMax) recentKeys.delete(recentKeys.values().next().value!);
        recentKeys.add(key);
      }
    }
    const startedMs = performance.now();
    try {
      const response = await base.makeRequest(host, port, path, method, headers, requestData, protocol, timeout);
      const outcome = outcomeOf(response.getStatusCode());
      stripeApiRequestsTotal.inc({ method: label, outcome });
      if (outcome === "rate_limited") stripeApiRateLimitedTotal.inc();
      return response;
    } catch (error) {
      stripeApiRequestsTotal.inc({ method: label, outcome: "network_error" });
      throw error;
    } finally {
      stripeApiRequestDuration.observe({ method: label }, (performance.now() - startedMs) / 1000);
    }
  };
  return client;
}
