import { z } from "zod";
import { getDb } from "@/db/client";
import { DomainError, httpStatusByKind, isDomainError } from "@/server/errors";
import { ingestEvents } from "@/server/metering/ingest-events";
import { recordIngestRequest } from "@/server/observability/hot-path-metrics";
import { ingestAdmissionLimit, ingestShedRequestsTotal } from "@/server/observability/tally-metrics";
import { ingestGovernor } from "../ingest-governor";
import { ingestLimits, rejectCodes } from "@/server/metering/ingest-limits";
import { parseCloudEvents } from "@/server/metering/parse-cloud-events";
import { apiJson, type ApiRequest, type ApiResponse } from "../api-exchange";
import { defineRawOperation } from "../v1/operation";
import { timestamp } from "../v1/schemas";
import { serveOperation } from "../v1/serve-operation";

/**
 * POST /api/v1/events: usage events as CloudEvents 1.0 (structured, batch or binary mode); API
 * key scope `ingest`. 200 with one result per event in request order (`accepted`, `duplicate`,
 * or `rejected` with a code); 400/413 for a body that cannot be taken whole (nothing stored).
 * The conventions (key, scope, version, Idempotency-Key, request id, error shape) are
 * serveOperation's; this is the body.
 */
export async function ingestEventsEndpointBody(request: ApiRequest): Promise<ApiResponse> {
  const startedMs = performance.now();
  try {
    const db = await getDb();
    const governor = ingestGovernor();
    if (governor) {
      const admission = governor.admit();
      ingestAdmissionLimit.set(governor.limit ?? 0);
      if (!admission.admitted) {
        ingestShedRequestsTotal.inc();
        throw new DomainError(
          "unavailable",
          "ingest_overloaded",
          `Ingestion is yielding to entitlement checks for a moment. Nothing from this request was stored; send it again in ${admission.retryAfterSeconds} s.`,
          { retryAfterSeconds: admission.retryAfterSeconds },
        );
      }
    }
    const body = await request.readBody({ maxBytes: ingestLimits.bodyBytesMax });
    const events = parseCloudEvents({ contentType: request.headers.get("content-type"), headers: request.headers, body });
    governor?.charge(events.length);
    const outcome = await ingestEvents(db, events);
    recordIngestRequest(startedMs, 200, outcome);
    return apiJson(outcome);
  } catch (error) {
    recordIngestRequest(startedMs, isDomainError(error) ? httpStatusByKind[error.kind] : 500, undefined);
    throw error;
  }
}

const cloudEventSchema = z
  .object({
    specversion: z.literal("1.0"),
    id: z.string().min(1).max(256),
    source: z.string().min(1).max(256),
    type: z.string().min(1).max(256).meta({ description: "Selects the meters that count the event." }),
    subject: z.string().min(1).max(256).meta({ description: "The customer's external id." }),
    time: timestamp.optional().meta({ description: "When it happened (default: when received). Up to 35 days late, at most 5 minutes ahead." }),
    datacontenttype: z.string().optional(),
    data: z.record(z.string(), z.unknown()).optional().meta({ description: "The properties meters read (e.g. `tokens`, `model`)." }),
  })
  .meta({ id: "CloudEvent", description: "A usage event, CloudEvents 1.0. `source` + `id` is the dedup key." });

const ingestResultSchema = z
  .strictObject({
    results: z.array(
      z.union([
        z.strictObject({ index: z.number().int(), id: z.string(), source: z.string(), status: z.enum(["accepted", "duplicate"]) }),
        z.strictObject({ index: z.number().int(), id: z.string().nullable(), source: z.string().nullable(), status: z.literal("rejected"), code: z.enum(rejectCodes), message: z.string() }),
      ]),
    ),
    accepted: z.number().int(),
    duplicates: z.number().int(),
    rejected: z.number().int(),
  })
  .meta({ id: "IngestResult", description: "One result per event, in request order; one bad event does not reject its neighbours." });

export const ingestEventsOperation = defineRawOperation({
  id: "ingestEvents",
  method: "POST",
  path: "/events",
  scope: "ingest",
  tag: "Usage",
  summary: "Send usage events",
  description:
    "CloudEvents 1.0: a batch (`application/cloudevents-batch+json` or a JSON array, up to 1,000 events), one structured event (`application/cloudevents+json`), or binary mode (`ce-*` headers, `data` as the body). Each event counts once, however often it is retried (`source` + `id`). Every accepted event is durable before the answer.",
  errors: [413, 503],
  bodyBytesMax: ingestLimits.bodyBytesMax,
  logRequests: false,
  requestBody: { contentTypes: ["application/cloudevents-batch+json", "application/cloudevents+json", "application/json"], schema: z.union([z.array(cloudEventSchema), cloudEventSchema]), description: "One event or a batch." },
  responses: { 200: ingestResultSchema },
  handler: (request) => ingestEventsEndpointBody(request),
});


/** The endpoint with the API's conventions: served by the hot route and the App Router route alike. */
export function ingestEventsEndpoint(request: ApiRequest): Promise<ApiResponse> {
  return serveOperation(ingestEventsOperation, request, {});
}
