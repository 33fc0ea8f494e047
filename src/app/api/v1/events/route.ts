import { getDb } from "@/db/client";
import { authenticateApiKey } from "@/server/http/authenticate-api-key";
import { handleRoute, jsonResponse } from "@/server/http/error-response";
import { readBodyText } from "@/server/http/read-body";
import { ingestEvents } from "@/server/metering/ingest-events";
import { ingestLimits } from "@/server/metering/ingest-limits";
import { parseCloudEvents } from "@/server/metering/parse-cloud-events";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * Usage events as CloudEvents 1.0 (structured, batch or binary mode); API key scope `ingest`.
 * 200 with one result per event in request order (`accepted`, `duplicate`, or `rejected` with
 * a code); 400/413 for a body that cannot be taken whole (nothing stored).
 */
export async function POST(request: Request): Promise<Response> {
  return handleRoute(async () => {
    const db = await getDb();
    await authenticateApiKey(db, request, "ingest");
    const body = await readBodyText(request, { maxBytes: ingestLimits.bodyBytesMax });
    const events = parseCloudEvents({ contentType: request.headers.get("content-type"), headers: request.headers, body });
    const result = await ingestEvents(db, events);
    return jsonResponse(result);
  });
}
