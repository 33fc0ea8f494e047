import type { IncomingMessage, ServerResponse } from "node:http";
import { handleControl } from "./control";
import type { Engine } from "./engine";
import { StripeApiError, unauthorized, unrecognizedUrl, invalidRequest, type StripeErrorBody } from "./errors";
import { pickApiFault, pickLatencyMs } from "./faults";
import { FormError, parseForm, type FormObject } from "./form";
import { fingerprintParams, type IdempotencyCache } from "./idempotency";
import { Params } from "./params";
import { render } from "./render";
import { matchRoute, type Route } from "./router";

const bodyBytesMax = 1_000_000;
const apiKeyPattern = /^(sk|rk)_test_[A-Za-z0-9_]{1,247}$/;

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** Serves one HTTP request: the control API under /_emulator, Stripe's API under /v1. */
export async function handleRequest(engine: Engine, routes: Route[], idempotency: IdempotencyCache, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://emulator");
  const method = (request.method ?? "GET").toUpperCase();
  let reply: Reply;
  try {
    const rawBody = await readBody(request);
    reply = url.pathname.startsWith("/_emulator/")
      ? handleControl(engine, method, url, rawBody)
      : await handleApi(engine, routes, idempotency, request, method, url, rawBody);
  } catch (caught) {
    reply = errorReply(caught, engine.random.string(14));
  }
  response.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
  response.end(reply.body);
}

async function handleApi(
  engine: Engine,
  routes: Route[],
  idempotency: IdempotencyCache,
  request: IncomingMessage,
  method: string,
  url: URL,
  rawBody: string,
): Promise<Reply> {
  const requestId = `req_${engine.random.string(14)}`;
  const baseHeaders: Record<string, string> = {
    "request-id": requestId,
    "stripe-version": header(request, "stripe-version") ?? engine.config.apiVersion,
  };
  const apiKey = authenticate(header(request, "authorization"));
  const latencyMs = pickLatencyMs(engine.faults, engine.random);
  if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
  const fault = pickApiFault(engine.faults, engine.random);
  if (fault === "rate_limit") {
    engine.stats.rateLimited += 1;
    return errorReply(
      new StripeApiError(429, { type: "invalid_request_error", code: "rate_limit", message: "Request rate limit exceeded. (injected by the emulator)" }, { headers: { "stripe-should-retry": "true" } }),
      requestId,
      baseHeaders,
    );
  }
  if (fault === "server_error_before") {
    engine.stats.serverErrorsBefore += 1;
    return serverError(requestId, baseHeaders);
  }
  const form = parseParams(method, url, rawBody);
  const idempotencyKey = method === "POST" ? (header(request, "idempotency-key") ?? null) : null;
  if (idempotencyKey !== null) {
    if (idempotencyKey.length > 255) throw invalidRequest("Idempotency-Key must be at most 255 characters.");
    const saved = idempotency.get(apiKey, idempotencyKey, Date.now());
    if (saved !== undefined) {
      if (saved.method !== method || saved.path !== url.pathname || saved.fingerprint !== fingerprintParams(form)) {
        return errorReply(
          new StripeApiError(400, {
            type: "idempotency_error",
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
          }),
          requestId,
          { ...baseHeaders, "idempotency-key": idempotencyKey },
        );
      }
      engine.stats.idempotentReplays += 1;
      return { status: saved.status, body: saved.body, headers: { ...baseHeaders, "idempotency-key": idempotencyKey, "idempotent-replayed": "true" } };
    }
  }
  const reply = execute(engine, routes, method, url.pathname, form, { id: requestId, idempotencyKey }, baseHeaders);
  if (idempotencyKey !== null && reply.saveable) {
    baseHeaders["idempotency-key"] = idempotencyKey;
    reply.headers["idempotency-key"] = idempotencyKey;
    idempotency.save(apiKey, idempotencyKey, {
      method,
      path: url.pathname,
      fingerprint: fingerprintParams(form),
      status: reply.status,
      body: reply.body,
      savedAtMs: Date.now(),
    });
  }
  if (fault === "server_error_after") {
    engine.stats.serverErrorsAfter += 1;
    return serverError(requestId, baseHeaders);
  }
  return reply;
}

function execute(
  engine: Engine,
  routes: Route[],
  method: string,
  path: string,
  form: FormObject,
  context: { id: string; idempotencyKey: string | null },
  headers: Record<string, string>,
): Reply & { saveable: boolean } {
  const matched = matchRoute(routes, method, path);
  if (matched === undefined) return { ...errorReply(unrecognizedUrl(method, path), context.id, headers), saveable: false };
  engine.request = context;
  try {
    engine.runGlobalDue();
    const params = new Params(form);
    const result = matched.route.handle({ engine, params, pathParams: matched.pathParams });
    const body = JSON.stringify(render(engine, result, params.expand()), null, 2);
    return { status: 200, body, headers: { ...headers }, saveable: true };
  } catch (caught) {
    const saveable = caught instanceof StripeApiError ? caught.saveForIdempotency : false;
    return { ...errorReply(caught, context.id, headers), saveable };
  } finally {
    engine.request = null;
  }
}

function authenticate(authorization: string | undefined): string {
  if (authorization === undefined || authorization.trim() === "")
    throw unauthorized(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    );
  let key = "";
  if (authorization.startsWith("Bearer ")) key = authorization.slice(7).trim();
  else if (authorization.startsWith("Basic ")) key = Buffer.from(authorization.slice(6), "base64").toString("utf8").split(":")[0] ?? "";
  if (!apiKeyPattern.test(key)) throw unauthorized(`Invalid API Key provided: ${redact(key)}`);
  return key;
}

function redact(key: string): string {
  if (key.length <= 8) return "*".repeat(key.length);
  return `${key.slice(0, 8)}${"*".repeat(Math.min(key.length - 12, 20))}${key.slice(-4)}`;
}

function parseParams(method: string, url: URL, rawBody: string): FormObject {
  try {
    const query = url.search.startsWith("?") ? url.search.slice(1) : url.search;
    return parseForm(method === "POST" ? rawBody : query);
  } catch (caught) {
    if (caught instanceof FormError) throw invalidRequest(caught.message);
    throw caught;
  }
}

function serverError(requestId: string, headers: Record<string, string>): Reply {
  return errorReply(
    new StripeApiError(500, { type: "api_error", message: "An unknown error occurred (injected by the emulator)." }, { headers: { "stripe-should-retry": "true" } }),
    requestId,
    headers,
  );
}

function errorReply(caught: unknown, requestId: string, headers: Record<string, string> = {}): Reply {
  if (caught instanceof StripeApiError) {
    const body: StripeErrorBody = { ...caught.body, request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}` };
    return { status: caught.status, body: JSON.stringify({ error: body }, null, 2), headers: { ...headers, ...caught.headers } };
  }
  console.error("[stripe-emulator] internal error", caught);
  const message = caught instanceof Error ? caught.message : String(caught);
  return {
    status: 500,
    body: JSON.stringify({ error: { type: "api_error", message: `Emulator internal error: ${message}` } }, null, 2),
    headers: { ...headers, "stripe-should-retry": "false" },
  };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > bodyBytesMax) throw invalidRequest(`Request body larger than ${bodyBytesMax} bytes.`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
