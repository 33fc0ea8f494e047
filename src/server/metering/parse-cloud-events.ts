import { parseJsonExact, scanJsonText, splitJsonArray } from "@/lib/parse-json-exact";
import { DomainError } from "@/server/errors";
import { ingestLimits } from "./ingest-limits";
import { UnreadableEvent } from "./validate-cloud-event";

/** What binary mode reads: the web `Headers`, or Node's headers adapted (src/server/http/node-exchange.ts). */
export type HeaderReader = { get(name: string): string | null; has(name: string): boolean };

export type ParseCloudEventsInput = { contentType: string | null; headers: HeaderReader; body: string };

const contextAttributes = ["specversion", "id", "source", "type", "subject", "time", "datacontenttype", "dataschema"] as const;

/**
 * Turns an HTTP request into the list of CloudEvents it carries, still unvalidated (each is
 * checked on its own by ingestEvents). Modes (CloudEvents 1.0 HTTP binding):
 * - structured: `application/cloudevents+json`, one event object;
 * - batch: `application/cloudevents-batch+json`, an array of event objects;
 * - binary: `ce-*` headers hold the attributes, the body is `data`;
 * - `application/json` without `ce-*` headers: an object (one event) or an array (a batch).
 * Throws 400/413 for a body that cannot be read as a whole; then nothing is stored.
 *
 * Numbers keep their exact value (parse-json-exact.ts). An event nested too deeply to be read
 * on its own takes its place as an UnreadableEvent, rejected alone; its neighbours are read.
 */
export function parseCloudEvents(input: ParseCloudEventsInput): unknown[] {
  const mediaType = (input.contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (input.headers.has("ce-specversion") && mediaType !== "application/cloudevents+json" && mediaType !== "application/cloudevents-batch+json") {
    return [binaryModeEvent(input.headers, input.body)];
  }
  if (mediaType !== "application/cloudevents+json" && mediaType !== "application/cloudevents-batch+json" && mediaType !== "application/json") {
    throw new DomainError(
      "invalid",
      "unsupported_content_type",
      "Send application/cloudevents+json, application/cloudevents-batch+json, application/json, or binary mode with ce-* headers.",
    );
  }
  const parsed = parseEventsBody(input.body);
  if (mediaType === "application/cloudevents-batch+json" && !Array.isArray(parsed)) {
    throw new DomainError("invalid", "invalid_batch", "A batch (application/cloudevents-batch+json) must be a JSON array of events.");
  }
  if (mediaType === "application/cloudevents+json" && Array.isArray(parsed)) {
    throw new DomainError("invalid", "invalid_batch", "Structured mode carries one event object; send arrays as application/cloudevents-batch+json.");
  }
  const events = Array.isArray(parsed) ? parsed : [parsed];
  if (events.length > ingestLimits.eventsPerRequestMax) {
    throw new DomainError("too_large", "too_many_events", `A request holds at most ${ingestLimits.eventsPerRequestMax} events; got ${events.length}.`, {
      eventsMax: ingestLimits.eventsPerRequestMax,
    });
  }
  return events;
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new DomainError("invalid", "invalid_json", "The request body is not valid JSON.");
  }
}

function binaryModeEvent(headers: HeaderReader, body: string): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  for (const attribute of contextAttributes) {
    const value = headers.get(`ce-${attribute}`);
    if (value !== null) event[attribute] = attribute === "datacontenttype" ? value : value.trim();
  }
  // Binary mode: the body is the event's data; an empty body means no data.
  if (body.trim().length > 0) {
    const data = parseEventsBody(body, 0);
    if (data instanceof UnreadableEvent) return data as unknown as Record<string, unknown>;
    event.data = data;
  }
  return event;
}

/** An event object's nesting: the event (1), its data (2), and data's own levels beyond it. */
const eventDepthMax = ingestLimits.dataDepthMax + 1;

/**
 * A body of one event (`eventLevel` 1, or 0 for binary mode's data alone) or a batch of them
 * (an array, one level more). The usual body (no inexact number, shallow) is one JSON.parse;
 * otherwise the body is checked whole, then each event read on its own, exactly.
 */
function parseEventsBody(body: string, eventLevel = 1): unknown {
  const scan = scanJsonText(body);
  const batchLevel = body.trimStart().startsWith("[") ? 1 : 0;
  if (!scan.inexactNumbers && scan.depthMax <= eventDepthMax - 1 + eventLevel + batchLevel) return parseBody(body);
  parseBody(body); // any depth: only to refuse text that is not JSON, whole
  if (batchLevel === 1 && eventLevel === 1) return splitJsonArray(body).map((text) => parseEventText(text, eventDepthMax));
  return parseEventText(body, eventDepthMax - 1 + eventLevel);
}

function parseEventText(text: string, depthMax: number): unknown {
  const scan = scanJsonText(text);
  if (scan.depthMax > depthMax) {
    return new UnreadableEvent("invalid_event", `The event is nested more than ${ingestLimits.dataDepthMax} levels deep in data; flatten it.`);
  }
  return scan.inexactNumbers ? parseJsonExact(text) : JSON.parse(text);
}
