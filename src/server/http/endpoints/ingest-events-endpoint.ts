import { getDb } from "@/db/client";
import { ingestEvents, type IngestEventsResult } from "@/server/metering/ingest-events";
import { recordIngestRequest } from "@/server/observability/hot-path-metrics";
import { ingestLimits } from "@/server/metering/ingest-limits";
import { parseCloudEvents } from "@/server/metering/parse-cloud-events";
import { apiJson, runEndpoint, type ApiRequest, type ApiResponse } from "../api-exchange";
import { authenticateApiKey } from "../authenticate-api-key";

/**
 * POST /api/v1/events: usage events as CloudEvents 1.0 (structured, batch or binary mode); API
 * key scope `ingest`. 200 with one result per event in request order (`accepted`, `duplicate`,
 * or `rejected` with a code); 400/413 for a body that cannot be taken whole (nothing stored).
 */
export async function ingestEventsEndpoint(request: ApiRequest): Promise<ApiResponse> {
  const startedMs = performance.now();
  let outcome: IngestEventsResult | undefined;
  const response = await runEndpoint(async () => {
    const db = await getDb();
    await authenticateApiKey(db, request, "ingest");
    const body = await request.readBody({ maxBytes: ingestLimits.bodyBytesMax });
    const events = parseCloudEvents({ contentType: request.headers.get("content-type"), headers: request.headers, body });
    outcome = await ingestEvents(db, events);
    return apiJson(outcome);
  });
  recordIngestRequest(startedMs, response.status, outcome);
  return response;
}
