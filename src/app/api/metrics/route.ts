import { getDb } from "@/db/client";
import { env } from "@/env";
import { jobs } from "@/server/jobs/registry";
import { getRequestContext, renderMetrics } from "@/server/observability";
import { authorizeMetricsScrape } from "@/server/observability/authorize-metrics-scrape";
import { registerDatabaseGauges } from "@/server/observability/database-gauges";
// Declares every in-process metric, so the first scrape lists them all.
import "@/server/observability/tally-metrics";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

registerDatabaseGauges(getDb, { jobNames: jobs.map((job) => job.name) });

/** Prometheus exposition (text format 0.0.4); see src/server/observability/README.md. */
export async function GET(request: Request): Promise<Response> {
  const decision = authorizeMetricsScrape({
    authorization: request.headers.get("authorization"),
    token: env.TALLY_METRICS_TOKEN,
    nodeEnv: env.NODE_ENV,
    remoteAddress: getRequestContext()?.remoteAddress,
  });
  if (!decision.allowed) {
    return Response.json(
      { error: { code: decision.code, message: decision.message } },
      { status: decision.status, headers: { "cache-control": "no-store", ...(decision.status === 401 ? { "www-authenticate": 'Bearer realm="tally-metrics"' } : {}) } },
    );
  }
  const { contentType, body } = await renderMetrics();
  return new Response(body, { status: 200, headers: { "content-type": contentType, "cache-control": "no-store" } });
}
