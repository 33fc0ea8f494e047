import { getDb } from "@/db/client";
import { ingestEvents } from "@/server/metering/ingest-events";
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
  return runEndpoint(async () => {
    const db = await getDb();
    await authenticateApiKey(db, request, "ingest");
    const body = await request.readBody({ maxBytes: ingestLimits.bodyBytesMax });
    const events = parseCloudEvents({ contentType: request.headers.get("content-type"), headers: request.headers, body });
    return apiJson(await ingestEvents(db, events));
  });
}
