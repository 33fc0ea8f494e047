import type { Engine } from "./engine";
import { invalidRequest } from "./errors";
import { createWebhookEndpoint } from "./resources/webhook-endpoints";

interface ControlReply {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/**
 * The standalone server's control API (JSON, no auth; local use only):
 *   GET  /_emulator/health
 *   POST /_emulator/faults                 body: Partial<FaultConfig>
 *   POST /_emulator/config                 body: ConfigPatch
 *   POST /_emulator/clock/advance          body: { seconds }
 *   POST /_emulator/payment_methods/:id/behavior  body: { outcome: "succeed" | "decline", declineCode? }
 *   GET  /_emulator/webhooks/deliveries
 *   POST /_emulator/webhook_endpoints      body: { url, enabled_events, secret? } (a fixed signing secret; not in Stripe's API)
 *   POST /_emulator/reset
 *   GET  /_emulator/invoices/:id           (the hosted invoice page)
 *   GET  /_emulator/credit_notes/:id/pdf   (a credit note's "PDF", as HTML)
 */
export function handleControl(engine: Engine, method: string, url: URL, rawBody: string): ControlReply {
  const path = url.pathname.replace(/^\/_emulator/, "");
  const body = parseJson(rawBody);
  if (method === "GET" && path === "/health") return json({ ok: true, now: engine.globalNow(), apiVersion: engine.config.apiVersion });
  if (method === "POST" && path === "/faults") {
    engine.setFaults(body as Parameters<Engine["setFaults"]>[0]);
    return json(engine.faults);
  }
  if (method === "POST" && path === "/config") {
    engine.setConfig(body as Parameters<Engine["setConfig"]>[0]);
    return json(engine.config);
  }
  if (method === "POST" && path === "/clock/advance") {
    const seconds = Number((body as { seconds?: unknown }).seconds);
    if (!Number.isInteger(seconds) || seconds < 0) throw invalidRequest("seconds must be a non-negative integer", "seconds");
    engine.advanceGlobalClock(seconds);
    return json({ now: engine.globalNow() });
  }
  const behavior = /^\/payment_methods\/([^/]+)\/behavior$/.exec(path);
  if (method === "POST" && behavior !== null) {
    const id = behavior[1] ?? "";
    engine.store.require("payment_method", id);
    const { outcome, declineCode } = body as { outcome?: string; declineCode?: string };
    engine.cardBehavior.set(id, outcome === "decline" ? { outcome: "decline", declineCode: declineCode ?? "generic_decline" } : { outcome: "succeed" });
    return json({ id, behavior: engine.cardBehavior.get(id) });
  }
  if (method === "GET" && path === "/webhooks/deliveries") return json({ pending: engine.webhooks.pendingCount(), records: engine.webhooks.records });
  if (method === "POST" && path === "/webhook_endpoints") {
    const { url: endpointUrl, enabled_events: enabledEvents, secret, description } = body as Record<string, unknown>;
    if (typeof endpointUrl !== "string") throw invalidRequest("url must be a string", "url");
    if (!Array.isArray(enabledEvents) || !enabledEvents.every((event): event is string => typeof event === "string"))
      throw invalidRequest("enabled_events must be an array of strings", "enabled_events");
    if (secret !== undefined && typeof secret !== "string") throw invalidRequest("secret must be a string", "secret");
    return json(
      createWebhookEndpoint(engine, {
        url: endpointUrl,
        enabledEvents,
        ...(secret === undefined ? {} : { secret }),
        description: typeof description === "string" ? description : null,
      }),
    );
  }
  if (method === "POST" && path === "/reset") {
    engine.reset();
    return json({ ok: true });
  }
  const hosted = /^\/invoices\/([^/]+)(\/pdf)?$/.exec(path);
  if (method === "GET" && hosted !== null) {
    const invoice = engine.store.require("invoice", hosted[1] ?? "");
    const page = `<!doctype html><title>Invoice ${invoice.number ?? invoice.id}</title><h1>Invoice ${invoice.number ?? invoice.id}</h1><p>Status: ${invoice.status}</p><p>Amount due: ${invoice.amount_due} ${invoice.currency} (minor units)</p>`;
    return { status: 200, body: page, headers: { "content-type": "text/html; charset=utf-8" } };
  }
  const creditNote = /^\/credit_notes\/([^/]+)\/pdf$/.exec(path);
  if (method === "GET" && creditNote !== null) {
    const note = engine.store.require("credit_note", creditNote[1] ?? "");
    const page = `<!doctype html><title>Credit note ${note.number}</title><h1>Credit note ${note.number}</h1><p>Status: ${note.status}</p><p>Amount: ${note.amount} ${note.currency} (minor units)</p>`;
    return { status: 200, body: page, headers: { "content-type": "text/html; charset=utf-8" } };
  }
  return { status: 404, body: JSON.stringify({ error: { type: "invalid_request_error", message: `Unknown control route ${method} ${url.pathname}` } }), headers: {} };
}

function parseJson(rawBody: string): unknown {
  if (rawBody.trim() === "") return {};
  try {
    return JSON.parse(rawBody) as unknown;
  } catch {
    throw invalidRequest("The control API expects a JSON body.");
  }
}

function json(value: unknown): ControlReply {
  return { status: 200, body: JSON.stringify(value, null, 2), headers: {} };
}
