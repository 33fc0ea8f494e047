import { timingSafeEqual } from "node:crypto";

export type MetricsScrapeDecision =
  | { allowed: true }
  | { allowed: false; status: 401 | 503; code: "metrics_unauthorized" | "metrics_not_configured"; message: string };

const loopback = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/**
 * Who may scrape GET /api/metrics. With TALLY_METRICS_TOKEN set: exactly `Bearer <token>`
 * (compared in constant time), wherever the scraper is. Without it: open to loopback clients
 * in development and test, closed (503, say how to configure it) in production.
 */
export function authorizeMetricsScrape(input: {
  authorization: string | null;
  token: string | undefined;
  nodeEnv: string;
  remoteAddress: string | undefined;
}): MetricsScrapeDecision {
  if (input.token) {
    const expected = Buffer.from(`Bearer ${input.token}`);
    const given = Buffer.from(input.authorization ?? "");
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { allowed: true };
    return { allowed: false, status: 401, code: "metrics_unauthorized", message: "Send the metrics token as `authorization: Bearer <TALLY_METRICS_TOKEN>`." };
  }
  if (input.nodeEnv !== "production" && input.remoteAddress !== undefined && loopback.has(input.remoteAddress)) return { allowed: true };
  if (input.nodeEnv === "production") {
    return { allowed: false, status: 503, code: "metrics_not_configured", message: "Set TALLY_METRICS_TOKEN to scrape metrics in production." };
  }
  return { allowed: false, status: 401, code: "metrics_unauthorized", message: "Without TALLY_METRICS_TOKEN, metrics are open to localhost only; set the token to scrape from elsewhere." };
}
