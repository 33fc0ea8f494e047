import { z } from "zod";
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from "zod-openapi";
import { apiKeyScopes } from "@/db/schema";
import { apiVersions, currentApiVersion } from "../api-version";
import { idempotencyLimits } from "../idempotency";
import type { AnyOperation } from "./operation";
import { operations } from "./registry";
import { errorObject } from "./schemas";

const errorDescriptions: Record<number, string> = {
  400: "Bad input (`parameter_missing`, `parameter_invalid`, `parameter_unknown`, `invalid_json`, `unsupported_version`, ...); `param` names the offending parameter. Nothing was changed.",
  401: "No API key, or an unknown or revoked one (`missing_api_key`, `invalid_api_key`).",
  403: "The key lacks the scope this operation needs (`insufficient_scope`).",
  404: "The thing named does not exist (`customer_not_found`, `subscription_not_found`, ...).",
  409: "Conflicts with the current state or another request (`subscription_exists`, `idempotency_key_in_use`, ...).",
  413: "The body is too large (`body_too_large`, `too_many_events`).",
  422: "A valid request the current state refuses (`no_live_subscription`, `customer_archived`, `idempotency_key_reused`, ...).",
  429: "The key's rate limit is exhausted (`rate_limited`); retry after `Retry-After` seconds.",
  503: "Temporarily unavailable (`database_unavailable`; on ingestion also `ingest_overloaded`, while entitlement checks need the machine); nothing was stored; retry after `Retry-After` seconds with the same Idempotency-Key.",
};

const commonHeaders = z.object({
  "x-request-id": z.string().meta({ description: "This request's id (also `error.request_id`)." }),
  "tally-version": z.string().meta({ description: "The API version that answered." }),
});

function errorResponse(status: number) {
  return {
    description: errorDescriptions[status] ?? "Error.",
    headers: status === 429 || status === 503 ? commonHeaders.extend({ "retry-after": z.string().meta({ description: "Seconds to wait." }) }) : commonHeaders,
    content: { "application/json": { schema: errorObject } },
  };
}

function operationObject(operation: AnyOperation): ZodOpenApiOperationObject {
  const post = operation.method === "POST";
  const header = z.object({
    "Tally-Version": z.enum(apiVersions).optional().meta({ description: `The API version (date). Default: ${currentApiVersion}.` }),
    ...(post
      ? { "Idempotency-Key": z.string().min(1).max(idempotencyLimits.keyLengthMax).optional().meta({ description: `Retries with the same key and body replay the first answer (status and body) for ${idempotencyLimits.retentionHours} hours; the same key with another body is refused (422 \`idempotency_key_reused\`); while the first is still running, 409 \`idempotency_key_in_use\`.` }) }
      : {}),
  });
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(operation.responses)) {
    responses[status] = { description: status === "201" ? "Created." : "OK.", headers: commonHeaders, content: { "application/json": { schema: schema as z.ZodType } } };
  }
  const statuses = new Set<number>([400, 401, 403, 429, ...operation.errors]);
  if (post) statuses.add(409).add(422);
  for (const status of [...statuses].sort()) responses[String(status)] = errorResponse(status);
  const requestParams: ZodOpenApiOperationObject["requestParams"] = { header };
  if (operation.kind === "typed") {
    if (operation.params) requestParams.path = operation.params;
    if (operation.query) requestParams.query = operation.query;
  } else {
    const names = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
    if (names.length > 0) requestParams.path = z.object(Object.fromEntries(names.map((name) => [name, z.string()])));
  }
  let requestBody: ZodOpenApiOperationObject["requestBody"];
  if (operation.kind === "typed" && operation.body) requestBody = { required: true, content: { "application/json": { schema: operation.body } } };
  if (operation.kind === "raw") requestBody = { required: true, description: operation.requestBody.description, content: Object.fromEntries(operation.requestBody.contentTypes.map((type) => [type, { schema: operation.requestBody.schema }])) };
  return {
    operationId: operation.id,
    summary: operation.summary,
    description: `${operation.description ?? ""}\n\nScope: \`${operation.scope}\`.`.trim(),
    tags: [operation.tag],
    security: [{ apiKey: [] }],
    requestParams,
    ...(requestBody ? { requestBody } : {}),
    responses: responses as ZodOpenApiOperationObject["responses"],
  };
}

const description = `The billing API of the product: sign customers up, start and change their subscriptions, read their bills and balances, send usage and check entitlements.

- **Authentication**: \`Authorization: Bearer <API key>\`. Keys are created by an admin (console → Admin → API keys) with scopes: ${apiKeyScopes.map((scope) => `\`${scope}\``).join(", ")}. A key cannot do what its scopes do not name (403 \`insufficient_scope\`).
- **Versions**: \`Tally-Version: ${currentApiVersion}\` (date-based; the current version when omitted). Every answer names the version that answered.
- **Idempotency**: send \`Idempotency-Key\` on every POST; retries with the same key and body get the first answer again, byte for byte (with \`Idempotent-Replayed: true\`), for ${idempotencyLimits.retentionHours} hours.
- **Errors**: one shape everywhere, \`{"error": {"code", "message", "param", "request_id"}}\`: 400 bad input (nothing changed), 401/403 keys and scopes, 404, 409 conflicts, 422 a valid request the state refuses, 429 with \`Retry-After\`.
- **Lists**: \`limit\` (1–100) and \`starting_after\` (the last id of the previous page); answers \`{object: "list", data, has_more}\`.
- **Money**: amounts are strings of micro-units (\`*_micros\`, 1 USD = 1,000,000) plus integers of cents (\`*_cents\`) where Stripe shows cents. Times are RFC 3339, UTC; periods are half-open [start, end).
- **Webhooks**: an admin registers endpoints in the console; events are signed per Standard Webhooks (\`webhook-id\`, \`webhook-timestamp\`, \`webhook-signature\`).`;

const tagDescriptions: Record<string, string> = {
  Customers: "The product's customers, created and updated by their external id.",
  Subscriptions: "Plans, seats, trials, changes with proration, cancellation and resumption.",
  Plans: "What customers can subscribe to.",
  Invoices: "What customers were billed, and what they would be billed now.",
  Credits: "Credit grants and balances.",
  Usage: "Usage events in, usage out.",
  Entitlements: "May a customer use a feature now?",
  Promotions: "Promotion codes.",
  Anomalies: "Billing anomalies Tally detected (spikes, usage that stopped, invoice jumps, double charges...), with the cause named, to alert on.",
};

/** The OpenAPI 3.1 document of /api/v1, generated from the operations' own zod schemas. */
export function buildOpenApiDocument(list: readonly AnyOperation[] = operations) {
  const paths: ZodOpenApiPathsObject = {};
  for (const operation of list) {
    const item = (paths[operation.path] ??= {});
    (item as Record<string, ZodOpenApiOperationObject>)[operation.method.toLowerCase()] = operationObject(operation);
  }
  return createDocument({
    openapi: "3.1.0",
    info: { title: "Tally billing API", version: currentApiVersion, description, license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" } },
    servers: [{ url: "/api/v1", description: "This server" }],
    tags: [...new Set(list.map((operation) => operation.tag))].map((name) => ({ name, description: tagDescriptions[name] ?? name })),
    components: { securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "An API key (`tly_live_…`)." } } },
    security: [{ apiKey: [] }],
    paths,
  });
}

let cached: string | undefined;

export function openApiJson(): string {
  cached ??= JSON.stringify(buildOpenApiDocument());
  return cached;
}
