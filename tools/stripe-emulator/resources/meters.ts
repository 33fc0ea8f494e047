import crypto from "node:crypto";
import Decimal from "decimal.js";
import type Stripe from "stripe";
import type { Engine } from "../engine";
import { invalidRequest, missingParam } from "../errors";
import { paginate } from "../list";
import type { Params } from "../params";
import { route, pathParam, type Route } from "../router";
import { aggregateUsage } from "../billing/usage";

const identifierWindowSeconds = 24 * 60 * 60;
const pastWindowSeconds = 35 * 24 * 60 * 60;
const futureWindowSeconds = 5 * 60;
const summaryWindowsMax = 10_000;
const meterEventsMax = 1_000_000;

function createMeter(engine: Engine, params: Params): Stripe.Billing.Meter {
  const now = engine.globalNow();
  const eventName = params.requiredString("event_name", { maxLength: 100 });
  if (engine.store.all("billing.meter").some((meter) => meter.event_name === eventName && meter.status === "active"))
    throw invalidRequest(`An active meter with event_name '${eventName}' already exists.`, "event_name");
  const meter = {
    id: engine.id("mtr_test", 32),
    object: "billing.meter",
    created: now,
    customer_mapping: { event_payload_key: params.object("customer_mapping")?.string("event_payload_key") ?? "stripe_customer_id", type: "by_id" },
    default_aggregation: { formula: params.object("default_aggregation")?.oneOf("formula", ["sum", "count", "last"] as const) ?? missing("default_aggregation[formula]") },
    display_name: params.requiredString("display_name", { maxLength: 250 }),
    event_name: eventName,
    event_time_window: params.oneOf("event_time_window", ["day", "hour"] as const) ?? null,
    livemode: false,
    status: "active",
    status_transitions: { deactivated_at: null },
    updated: now,
    value_settings: { event_payload_key: params.object("value_settings")?.string("event_payload_key") ?? "value" },
  } satisfies Stripe.Billing.Meter;
  engine.store.insert("billing.meter", meter);
  engine.emit("billing.meter.created", meter);
  return meter;
}

function missing(param: string): never {
  throw missingParam(param);
}

function createMeterEvent(engine: Engine, params: Params): Stripe.Billing.MeterEvent {
  const eventName = params.requiredString("event_name", { maxLength: 100 });
  const payloadParams = params.object("payload");
  if (payloadParams === undefined) throw missingParam("payload");
  const payload: Record<string, string> = {};
  for (const [key, value] of Object.entries(payloadParams.values)) {
    if (typeof value !== "string") throw invalidRequest("Payload values must be strings.", `payload[${key}]`);
    payload[key] = value;
  }
  const meters = engine.store.all("billing.meter").filter((meter) => meter.event_name === eventName && meter.status === "active");
  const customerKey = meters[0]?.customer_mapping.event_payload_key ?? "stripe_customer_id";
  const valueKey = meters[0]?.value_settings.event_payload_key ?? "value";
  const customerId = payload[customerKey];
  if (customerId === undefined) throw invalidRequest(`Missing required payload key: ${customerKey}.`, `payload[${customerKey}]`, "parameter_missing");
  const value = payload[valueKey] ?? (meters[0]?.default_aggregation.formula === "count" ? "1" : undefined);
  if (value === undefined) throw invalidRequest(`Missing required payload key: ${valueKey}.`, `payload[${valueKey}]`, "parameter_missing");
  if (!/^-?\d+(\.\d+)?$/.test(value)) throw invalidRequest(`The value '${value}' is not a valid number.`, `payload[${valueKey}]`);
  const customerExists = engine.store.get("customer", customerId) !== undefined;
  const now = customerExists ? engine.nowForCustomer(customerId) : engine.globalNow();
  const timestamp = params.integer("timestamp", { min: 0 }) ?? now;
  if (timestamp < now - pastWindowSeconds)
    throw invalidRequest("Timestamp must be within the past 35 calendar days.", "timestamp", "timestamp_too_far_in_past");
  if (timestamp > now + futureWindowSeconds)
    throw invalidRequest("Timestamp must not be more than 5 minutes in the future.", "timestamp", "timestamp_in_future");
  const identifier = params.string("identifier", { maxLength: 100 }) ?? engine.random.string(24);
  const seenAt = engine.meterIdentifiers.get(identifier);
  if (seenAt !== undefined && now - seenAt < identifierWindowSeconds)
    throw invalidRequest(`An event with identifier '${identifier}' already exists.`, "identifier", "resource_already_exists");
  if (engine.meterEvents.length >= meterEventsMax) throw invalidRequest("The emulator holds at most 1,000,000 meter events.");
  engine.meterIdentifiers.set(identifier, now);
  engine.meterEvents.push({ identifier, eventName, customerId, value, timestamp, created: now });
  return { object: "billing.meter_event", created: now, event_name: eventName, identifier, livemode: false, payload, timestamp };
}

function listSummaries(engine: Engine, meter: Stripe.Billing.Meter, params: Params) {
  const customer = params.requiredString("customer");
  const start = params.requiredInteger("start_time", { min: 0 });
  const end = params.requiredInteger("end_time", { min: 0 });
  const window = params.oneOf("value_grouping_window", ["day", "hour"] as const);
  const alignment = window === "day" ? 86_400 : window === "hour" ? 3_600 : 60;
  if (start % alignment !== 0) throw invalidRequest(`start_time must be aligned with ${window ?? "minute"} boundaries.`, "start_time");
  if (end % alignment !== 0) throw invalidRequest(`end_time must be aligned with ${window ?? "minute"} boundaries.`, "end_time");
  if (end <= start) throw invalidRequest("end_time must be after start_time.", "end_time");
  const step = window === undefined ? end - start : alignment;
  if ((end - start) / step > summaryWindowsMax) throw invalidRequest(`At most ${summaryWindowsMax} summary windows per request.`, "value_grouping_window");
  const summaries: Stripe.Billing.MeterEventSummary[] = [];
  for (let windowStart = start; windowStart < end; windowStart += step) {
    const windowEnd = Math.min(windowStart + step, end);
    const total = aggregateUsage(engine, meter, customer, windowStart, windowEnd);
    summaries.push({
      id: `mtrusg_${crypto.createHash("sha256").update(`${meter.id}:${customer}:${windowStart}:${windowEnd}`).digest("hex").slice(0, 24)}`,
      object: "billing.meter_event_summary",
      aggregated_value: new Decimal(total).toNumber(),
      end_time: windowEnd,
      livemode: false,
      meter: meter.id,
      start_time: windowStart,
    });
  }
  return paginate([...summaries].reverse(), params, `/v1/billing/meters/${meter.id}/event_summaries`);
}

function setMeterStatus(engine: Engine, meter: Stripe.Billing.Meter, status: "active" | "inactive"): Stripe.Billing.Meter {
  engine.track(meter, status === "active" ? "billing.meter.reactivated" : "billing.meter.deactivated", () => {
    meter.status = status;
    meter.status_transitions.deactivated_at = status === "inactive" ? engine.globalNow() : null;
    meter.updated = engine.globalNow();
  });
  return meter;
}

export const meterRoutes: Route[] = [
  route("POST", "/v1/billing/meters", ({ engine, params }) => createMeter(engine, params)),
  route("GET", "/v1/billing/meters/:id", (request) => request.engine.store.require("billing.meter", pathParam(request, "id"))),
  route("POST", "/v1/billing/meters/:id", (request) => {
    const meter = request.engine.store.require("billing.meter", pathParam(request, "id"));
    request.engine.track(meter, "billing.meter.updated", () => {
      meter.display_name = request.params.string("display_name") ?? meter.display_name;
    });
    return meter;
  }),
  route("POST", "/v1/billing/meters/:id/deactivate", (request) =>
    setMeterStatus(request.engine, request.engine.store.require("billing.meter", pathParam(request, "id")), "inactive"),
  ),
  route("POST", "/v1/billing/meters/:id/reactivate", (request) =>
    setMeterStatus(request.engine, request.engine.store.require("billing.meter", pathParam(request, "id")), "active"),
  ),
  route("GET", "/v1/billing/meters", ({ engine, params }) => {
    const status = params.oneOf("status", ["active", "inactive"] as const);
    return paginate(engine.store.all("billing.meter").filter((meter) => status === undefined || meter.status === status), params, "/v1/billing/meters");
  }),
  route("GET", "/v1/billing/meters/:id/event_summaries", (request) =>
    listSummaries(request.engine, request.engine.store.require("billing.meter", pathParam(request, "id")), request.params),
  ),
  route("POST", "/v1/billing/meter_events", ({ engine, params }) => createMeterEvent(engine, params)),
];
