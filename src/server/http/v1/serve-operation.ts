import type Stripe from "stripe";
import { getDatabaseForHotReads, getDb } from "@/db/client";
import { systemClock, type Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { getStripeRuntime } from "@/server/stripe/stripe-runtime";
import { apiJson, apiResponseForError, runEndpoint, type ApiRequest, type ApiResponse } from "../api-exchange";
import { currentApiVersion, requestedApiVersion } from "../api-version";
import { apiKeyActor, authenticateApiKey } from "../authenticate-api-key";
import { claimIdempotencyKey, completeIdempotencyKey, idempotencyKeyFrom, releaseIdempotencyKey, requestFingerprint } from "../idempotency";
import { enforceApiRateLimit } from "../api-rate-limit";
import { onHotPool } from "../hot-pool";
import { safePathParam } from "../read-body";
import { recordApiRequest } from "../request-log";
import type { AnyOperation, OperationContext } from "./operation";
import { jsonBody, parseWith, queryObject } from "./parse-input";
import { checkResponse } from "./check-response";

const bodyBytesMaxDefault = 64 * 1024;

export type ServeOptions = {
  clock?: Clock;
  /** The Stripe client for workflows that push to Stripe; default the process's runtime (the emulator in development). Tests pass their own or null. */
  stripe?: () => Promise<Stripe | null>;
};

/**
 * The conventions of /api/v1, in order, for every operation: request id; `Tally-Version`; API key
 * and scope; path and query parameters; body (JSON, strict); `Idempotency-Key` on POST (claim,
 * replay or refuse — after validation, so a bad request never burns a key); the handler; in
 * development and tests the answer is checked against the operation's documented schema; the
 * answer is stored for the key (2xx/4xx) or the key released (5xx/429); one row in the request log.
 */
export async function serveOperation(operation: AnyOperation, request: ApiRequest, pathParams: Record<string, string>, options: ServeOptions = {}): Promise<ApiResponse> {
  const startedMs = performance.now();
  const clock = options.clock ?? systemClock;
  const log = { apiKeyId: null as string | null, customerId: null as string | null, idempotencyKey: null as string | null, replayed: false };
  const response = await runEndpoint(request, async (requestId) => {
    requestedApiVersion(request.headers);
    const key = operation.logRequests === false ? await onHotPool(await getDatabaseForHotReads(), (db) => authenticateApiKey(db, request, operation.scope)) : await authenticateApiKey(await getDb(), request, operation.scope);
    log.apiKeyId = key.id;
    const db = await getDb();
    const limitHeaders = await enforceApiRateLimit(db, key.id, operation.logRequests === false ? "hot" : "resource");
    const idempotencyKey = request.method === "POST" ? idempotencyKeyFrom(request.headers) : null;
    const context: Omit<OperationContext<unknown, unknown, unknown>, "params" | "query" | "body"> = {
      idempotencyKey,
      db,
      clock,
      key,
      actor: apiKeyActor(key),
      requestId,
      stripe: options.stripe ?? (async () => (await getStripeRuntime()).stripe),
      concerns: (customerId) => {
        log.customerId = customerId;
      },
    };
    const url = new URL(request.url, "http://tally.invalid");
    let bodyText = "";
    let run: () => Promise<ApiResponse>;
    if (operation.kind === "typed") {
      for (const [name, value] of Object.entries(pathParams)) safePathParam(value, name);
      const rawQuery = queryObject(url.search);
      for (const [name, value] of Object.entries(rawQuery)) for (const item of [value].flat()) safePathParam(item, name);
      const params = operation.params ? parseWith(operation.params, pathParams, "path") : {};
      const query = operation.query ? parseWith(operation.query, rawQuery, "query") : {};
      if (!operation.query && url.search.length > 1) {
        const first = [...new URLSearchParams(url.search).keys()][0]!;
        throw new DomainError("invalid", "parameter_unknown", `\`${first}\` is not a parameter of this request (query string).`, undefined, { param: first });
      }
      let body: unknown = undefined;
      if (request.method === "POST") {
        bodyText = await request.readBody({ maxBytes: operation.bodyBytesMax ?? bodyBytesMaxDefault });
        const value = jsonBody(bodyText, request.headers.get("content-type"));
        body = operation.body ? parseWith(operation.body, value, "body") : value;
      }
      run = async () => {
        const result = await operation.handler({ ...context, params, query, body });
        return apiJson(checkResponse(operation, result.status, result.body), result.status, { ...result.headers });
      };
    } else {
      if (request.method === "POST") bodyText = await request.readBody({ maxBytes: operation.bodyBytesMax ?? bodyBytesMaxDefault });
      const buffered: ApiRequest = { ...request, readBody: async () => bodyText };
      run = () => operation.handler(buffered, context);
    }
    if (idempotencyKey === null) return withHeaders(await run(), limitHeaders);
    log.idempotencyKey = idempotencyKey;
    const claim = { apiKeyId: key.id, key: idempotencyKey, requestHash: requestFingerprint(request.method, `${url.pathname}${url.search}`, request.headers, bodyText), method: request.method, path: `${url.pathname}${url.search}` };
    const outcome = await claimIdempotencyKey(db, claim, () => clock.now());
    if (outcome.kind === "replay") {
      log.replayed = true;
      return withHeaders(outcome.response, limitHeaders);
    }
    let answer: ApiResponse;
    try {
      answer = await run();
    } catch (error) {
      if (error instanceof DomainError) {
        answer = apiResponseForError(error, requestId);
      } else {
        await releaseIdempotencyKey(db, claim).catch(() => {});
        throw error;
      }
    }
    if (answer.status >= 500 || answer.status === 429) await releaseIdempotencyKey(db, claim);
    else await completeIdempotencyKey(db, claim, answer, clock.now());
    return withHeaders(answer, limitHeaders);
  });
  response.headers["tally-version"] = currentApiVersion;
  if (operation.logRequests !== false) {
    const db = await getDb();
    await recordApiRequest(db, {
      requestId: response.headers["x-request-id"]!,
      apiKeyId: log.apiKeyId,
      operationId: operation.id,
      method: request.method,
      path: request.url,
      status: response.status,
      errorCode: response.status >= 400 ? errorCodeOf(response.body) : null,
      customerId: log.customerId,
      idempotencyKey: log.idempotencyKey,
      replayed: log.replayed,
      durationMs: performance.now() - startedMs,
      at: clock.now(),
    });
  }
  return response;
}

function withHeaders(response: ApiResponse, headers: Record<string, string>): ApiResponse {
  return { ...response, headers: { ...response.headers, ...headers } };
}

function errorCodeOf(body: string): string | null {
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? null;
  } catch {
    return null;
  }
}
