import type Stripe from "stripe";
import type { Engine } from "../engine";
import { invalidRequest } from "../errors";
import { createdFilter, paginate } from "../list";
import { route, pathParam, type Route } from "../router";

function validUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("scheme");
    return url;
  } catch {
    throw invalidRequest(`Invalid URL: ${url}`, "url", "url_invalid");
  }
}

/** The secret is returned on create only, as Stripe does; retrieve and list omit it. */
function withoutSecret(endpoint: Stripe.WebhookEndpoint): Stripe.WebhookEndpoint {
  const copy = { ...endpoint };
  delete copy.secret;
  return copy;
}

export interface NewWebhookEndpoint {
  url: string;
  enabledEvents: string[];
  /** A fixed signing secret (tests, local dev); Stripe always generates one. */
  secret?: string;
  apiVersion?: string | null;
  description?: string | null;
  metadata?: Record<string, string>;
}

/** Stores an enabled endpoint; returns it with its secret, as Stripe's create does. */
export function createWebhookEndpoint(engine: Engine, input: NewWebhookEndpoint): Stripe.WebhookEndpoint {
  if (input.enabledEvents.length === 0) throw invalidRequest("Missing required param: enabled_events.", "enabled_events", "parameter_missing");
  if (input.secret !== undefined && !/^whsec_[A-Za-z0-9_]{1,200}$/.test(input.secret))
    throw invalidRequest("A webhook secret must look like whsec_<letters, digits or _>.", "secret");
  const endpoint: Stripe.WebhookEndpoint = {
    id: engine.id("we"),
    object: "webhook_endpoint",
    api_version: input.apiVersion ?? null,
    application: null,
    created: engine.globalNow(),
    description: input.description ?? null,
    enabled_events: [...input.enabledEvents],
    livemode: false,
    metadata: input.metadata ?? {},
    secret: input.secret ?? `whsec_${engine.random.string(32)}`,
    status: "enabled",
    url: validUrl(input.url),
  };
  engine.store.insert("webhook_endpoint", endpoint);
  return { ...endpoint };
}

export const webhookEndpointRoutes: Route[] = [
  route("POST", "/v1/webhook_endpoints", ({ engine, params }) => {
    const enabledEvents = params.stringArray("enabled_events", 500);
    if (enabledEvents === undefined || enabledEvents.length === 0)
      throw invalidRequest("Missing required param: enabled_events.", "enabled_events", "parameter_missing");
    // Stripe has no `secret` parameter: an explicit secret is only for the emulator's own APIs (createWebhookEndpoint).
    if (params.has("secret")) throw invalidRequest("Received unknown parameter: secret", "secret");
    return createWebhookEndpoint(engine, {
      url: params.requiredString("url"),
      enabledEvents,
      apiVersion: params.string("api_version") ?? null,
      description: params.string("description") ?? null,
      metadata: params.applyMetadata({}),
    });
  }),
  route("GET", "/v1/webhook_endpoints/:id", (request) => withoutSecret(request.engine.store.require("webhook_endpoint", pathParam(request, "id")))),
  route("POST", "/v1/webhook_endpoints/:id", (request) => {
    const { params } = request;
    const endpoint = request.engine.store.require("webhook_endpoint", pathParam(request, "id"));
    const url = params.string("url");
    if (url !== undefined) endpoint.url = validUrl(url);
    const enabledEvents = params.stringArray("enabled_events", 500);
    if (enabledEvents !== undefined) endpoint.enabled_events = enabledEvents;
    const disabled = params.boolean("disabled");
    if (disabled !== undefined) endpoint.status = disabled ? "disabled" : "enabled";
    const description = params.nullableString("description");
    if (description !== undefined) endpoint.description = description;
    endpoint.metadata = params.applyMetadata(endpoint.metadata);
    return withoutSecret(endpoint);
  }),
  route("DELETE", "/v1/webhook_endpoints/:id", (request) => {
    const endpoint = request.engine.store.require("webhook_endpoint", pathParam(request, "id"));
    request.engine.store.remove("webhook_endpoint", endpoint.id);
    return { id: endpoint.id, object: "webhook_endpoint", deleted: true };
  }),
  route("GET", "/v1/webhook_endpoints", ({ engine, params }) =>
    paginate(engine.store.all("webhook_endpoint").map(withoutSecret), params, "/v1/webhook_endpoints"),
  ),
  route("GET", "/v1/events/:id", (request) => request.engine.store.require("event", pathParam(request, "id"))),
  route("GET", "/v1/events", ({ engine, params }) => {
    const type = params.string("type");
    const types = params.stringArray("types", 20);
    const created = createdFilter(params);
    const matchesType = (eventType: string): boolean => {
      if (types !== undefined) return types.includes(eventType);
      if (type === undefined) return true;
      if (type.endsWith(".*")) return eventType.startsWith(type.slice(0, -1));
      return eventType === type;
    };
    const events = engine.store.all("event").filter((event) => matchesType(event.type) && created(event.created));
    return paginate(events, params, "/v1/events");
  }),
];
