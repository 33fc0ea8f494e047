import crypto from "node:crypto";
import fs from "node:fs";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as healthRoute } from "@/app/api/health/route";
import { GET as metricsRoute } from "@/app/api/metrics/route";
import { DELETE as apiDelete, GET as apiGet, PATCH as apiPatch, POST as apiPost, PUT as apiPut } from "@/app/api/v1/[...path]/route";
import { POST as checkRoute } from "@/app/api/v1/entitlements/check/route";
import { POST as eventsRoute } from "@/app/api/v1/events/route";
import { POST as stripeWebhookRoute } from "@/app/api/webhooks/stripe/route";
import { apiKeyScopes } from "@/db/schema";
import { executeRows } from "@/db/execute";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { createEntitlementCatalog, createSubscribedCustomer } from "@/server/entitlements/test-fixtures";
import { withRequestContext } from "@/server/observability/request-context";
import { setStripeRuntime } from "@/server/stripe/stripe-runtime";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { startWithClient, type EmulatorFixture } from "~/tools/stripe-emulator/test-support";
import openapi from "./v1/generated/openapi.json";
import { startHotRouteServer, type HotRouteServer } from "./test-hot-route-server";
import { useRouteDatabase } from "./use-route-database";

/*
 * Issue 16, fuzzing: fast-check generates requests — schema-shaped (from the OpenAPI document, so
 * every /api/v1 operation is reached with bodies and parameters it might accept), malformed and
 * hostile (NUL, lone surrogates, %00, huge strings, nesting 5,000 deep, 1e309, -0, integers past
 * 2^53, invalid UTF-8 bytes), with wrong content types, wrong methods, bad keys and oversized
 * bodies — for every public endpoint: /api/v1/events (route handler and hot route, batch and
 * single), /api/v1/entitlements/check (both), every /api/v1 operation, /api/health,
 * /api/webhooks/stripe and /api/metrics, against real PostgreSQL and the Stripe emulator.
 *
 * Invariants, request by request (sent one at a time so the database state can be compared):
 * - never a 5xx;
 * - an error answer (4xx) changes nothing: every table but the request log, rate-limit and
 *   idempotency bookkeeping hashes the same before and after;
 * - an ingestion answer stores exactly the events it says it accepted;
 * and at the end the server is still healthy (health 200, a valid event accepted).
 *
 * FUZZ_RUNS scales the runs per endpoint group (default keeps the file near 30-60 s); FUZZ_SEED
 * replays a failure fast-check reports.
 */

const isWellFormed = (text: string) => (text as unknown as { isWellFormed(): boolean }).isWellFormed();
const runs = (base: number) => Math.max(1, Math.round(base * Number(process.env.FUZZ_RUNS_SCALE ?? 1)));
/** Each property runs for ~5-25 s on a quiet 2-core machine; the bound leaves room for a loaded CI machine. */
const fuzzTimeoutMs = 240_000;
const fuzzSeed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

/** Bookkeeping that an error answer may legitimately write (it records the request, not its effect). */
const bookkeepingTables = new Set([
  "api_request_log",
  "api_idempotency_keys",
  "rate_limits",
  "health_samples",
  "metering_ingest_counters",
  "metering_subject_rejections",
  "entitlement_denial_counts",
]);

type Spec = {
  paths: Record<string, Record<string, { operationId: string; parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> } }>>;
  components: { schemas: Record<string, Schema> };
};
type Parameter = { in: "path" | "query" | "header"; name: string; required?: boolean; schema: Schema };
type Schema = {
  $ref?: string;
  type?: string;
  const?: unknown;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  maxItems?: number;
  example?: unknown;
};

const spec = openapi as unknown as Spec;

let database: TestDatabase;
let hot: HotRouteServer;
let stripe: EmulatorFixture;
let allKey: string;
let readKey: string;
const webhookSecret = "whsec_fuzz_secret";
/** Values the product knows (so generated requests also reach handlers, not only validation). */
const known = { customers: [] as string[], subscriptions: [] as string[], plans: [] as string[], planVersions: [] as string[], features: [] as string[], eventTypes: [] as string[] };
let tables: string[] = [];
const statuses = new Map<string, number>();

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 6 });
  useRouteDatabase(database);
  process.env.TALLY_API_RATE_LIMIT_PER_MINUTE = "100000000";
  hot = await startHotRouteServer();
  stripe = await startWithClient();
  setStripeRuntime({ stripe: stripe.stripe, mode: "emulator", webhookSecret });
  const db = database.db;
  await seedCatalog(db);
  const catalog = await createEntitlementCatalog(db, "fz");
  const version = await catalog.publish([
    { featureKey: catalog.featureKeys.requests, kind: "metered", meterKey: catalog.meterKeys.requests, allowancePerPeriod: "100", overage: "block" },
    { featureKey: catalog.featureKeys.tokens, kind: "metered", meterKey: catalog.meterKeys.tokens, allowancePerPeriod: "1000000", overage: "bill" },
    { featureKey: catalog.featureKeys.sso, kind: "boolean", enabled: true },
    { featureKey: catalog.featureKeys.tier, kind: "config", value: "gold" },
  ]);
  for (let index = 0; index < 3; index++) known.customers.push((await createSubscribedCustomer(db, { planVersionId: version.id, anchor: new Date(Date.now() - 3 * 86_400_000) })).externalId);
  allKey = (await createApiKey(db, { actor: systemActor("test"), name: "fuzz-all", scopes: [...apiKeyScopes] })).key;
  readKey = (await createApiKey(db, { actor: systemActor("test"), name: "fuzz-read", scopes: ["read"] })).key;
  known.subscriptions = (await executeRows<{ id: string }>(db, sql`select id from subscriptions`)).map((row) => row.id);
  known.plans = (await executeRows<{ key: string }>(db, sql`select key from catalog_plans`)).map((row) => row.key);
  known.planVersions = (await executeRows<{ id: string }>(db, sql`select id from catalog_plan_versions where status = 'published'`)).map((row) => row.id);
  known.features = (await executeRows<{ key: string }>(db, sql`select key from catalog_features`)).map((row) => row.key);
  known.eventTypes = (await executeRows<{ event_type: string }>(db, sql`select event_type from catalog_meters`)).map((row) => row.event_type);
  tables = (
    await executeRows<{ name: string }>(
      db,
      sql`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition order by 1`,
    )
  )
    .map((row) => row.name)
    .filter((name) => !bookkeepingTables.has(name));
}, 120_000);
afterAll(async () => {
  // FUZZ_STATS=1: how many answers of each status each route gave (is the fuzzing reaching the handlers?).
  if (process.env.FUZZ_STATS) console.log([...statuses].sort().map(([key, n]) => `${key}: ${n}`).join("\n"));
  await hot?.close();
  await stripe?.emulator.close();
  await database?.drop();
});

/** Row count and an order-independent hash of every row, per table (one statement). */
async function fingerprint(): Promise<Map<string, string>> {
  const parts = tables.map((name) => `select '${name}' as name, count(*)::text || ':' || coalesce(sum(hashtext(t::text)::bigint), 0)::text as print from "${name}" t`);
  const rows = await executeRows<{ name: string; print: string }>(database.db, sql.raw(parts.join(" union all ")));
  return new Map(rows.map((row) => [row.name, row.print]));
}

function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after.keys()].filter((name) => before.get(name) !== after.get(name));
}

// ---------------------------------------------------------------------------------------------
// Hostile material

const hostileStrings = [
  "\u0000",
  "cus\u0000x",
  "\ud800",
  "a\udfffb",
  "%00",
  "%ED%A0%80",
  "' or 1=1 --",
  "<script>alert(1)</script>",
  "=cmd|' /C calc'!A0",
  "../../etc/passwd",
  "\u202e\u0301🙂\ufeff",
  "__proto__",
  "constructor",
  " ",
  "",
  "x".repeat(300),
  "y".repeat(70_000),
];
/** Numbers as JSON text, including ones JSON.stringify cannot write. */
const hostileNumbers = ["1e309", "-1e309", "1e308", "-0", "0", "-1", "1e50", "9007199254740993", "123456789012345678901234567890", "1e-400", "0.1234567890123456789", "1E+2", "-0.0", "100000000000000000000000"];
const deep = (depth: number, open = "[", close = "]") => `${open.repeat(depth)}1${close.repeat(depth)}`;

const hostileStringText = fc.constantFrom(...hostileStrings).map((text) => JSON.stringify(text));
const hostileNumberText = fc.constantFrom(...hostileNumbers);
const hostileValueText: fc.Arbitrary<string> = fc.oneof(
  hostileStringText,
  hostileNumberText,
  fc.constantFrom("null", "true", "[]", "{}", deep(5_000), deep(5_000, '{"a":', "}"), deep(40), `{"__proto__":{"polluted":1}}`, `"\\ud800"`, `"\\u0000"`),
  fc.json({ maxDepth: 3 }),
);

/** A JSON value (as text) shaped by `schema` most of the time, hostile otherwise. */
function valueText(schema: Schema, name: string, depth = 0): fc.Arbitrary<string> {
  return fc.oneof({ weight: 8, arbitrary: shapedText(schema, name, depth) }, { weight: 1, arbitrary: hostileValueText });
}

function resolve(schema: Schema): Schema {
  if (!schema.$ref) return schema;
  return spec.components.schemas[schema.$ref.replace("#/components/schemas/", "")]!;
}

function knownFor(name: string): string[] {
  if (/customer|subject/.test(name)) return known.customers;
  if (/subscription/.test(name)) return known.subscriptions;
  if (name === "plan") return known.plans;
  if (/plan_version/.test(name)) return known.planVersions;
  if (/feature/.test(name)) return known.features;
  if (name === "type") return known.eventTypes;
  return [];
}

function shapedText(input: Schema, name: string, depth: number): fc.Arbitrary<string> {
  const schema = resolve(input);
  const json = (arbitrary: fc.Arbitrary<unknown>) => arbitrary.map((value) => JSON.stringify(value));
  if (schema.const !== undefined) return fc.constant(JSON.stringify(schema.const));
  if (schema.enum) return json(fc.constantFrom(...schema.enum));
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return fc.oneof(...variants.map((variant) => shapedText(variant, name, depth)));
  if (depth > 4) return fc.constant("null");
  switch (schema.type) {
    case "string": {
      const options: fc.Arbitrary<string>[] = [fc.string({ maxLength: 24 })];
      const pool = knownFor(name);
      if (pool.length > 0) options.push(fc.constantFrom(...pool), fc.constantFrom(...pool));
      if (schema.format === "date-time") options.push(fc.integer({ min: -40, max: 2 }).map((days) => new Date(Date.now() + days * 86_400_000).toISOString()));
      if (schema.format === "uuid") options.push(fc.uuid());
      if (schema.format === "email") options.push(fc.emailAddress());
      if (schema.format === "uri") options.push(fc.webUrl());
      if (typeof schema.example === "string") options.push(fc.constant(schema.example));
      if (schema.pattern && schema.format !== "date-time") options.push(fc.stringMatching(new RegExp(schema.pattern)), fc.stringMatching(new RegExp(schema.pattern)));
      return json(fc.oneof(...options));
    }
    case "integer":
    case "number": {
      const min = schema.minimum ?? -1_000_000;
      const max = schema.maximum ?? 1_000_000_000;
      return fc.oneof(json(fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) })), json(fc.constantFrom(min, max)), hostileNumberText);
    }
    case "boolean":
      return json(fc.boolean());
    case "array": {
      const items = schema.items ?? {};
      return fc.array(valueText(items, name, depth + 1), { maxLength: Math.min(schema.maxItems ?? 5, 5) }).map((values) => `[${values.join(",")}]`);
    }
    case "object": {
      const properties = Object.entries(schema.properties ?? {});
      const required = new Set(schema.required ?? []);
      if (properties.length === 0 && typeof schema.additionalProperties === "object") {
        const valueSchema = schema.additionalProperties;
        return fc
          .array(fc.tuple(fc.stringMatching(/^[a-z_.:-]{1,12}$/), valueText(valueSchema, "value", depth + 1)), { maxLength: 4 })
          .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`);
      }
      if (properties.length === 0) {
        // Free-form (metadata, event data): keys and values of every kind.
        const key = fc.oneof(fc.constantFrom("tokens", "model", "kind", "region", "a"), hostileStringText.map((text) => JSON.parse(text) as string), fc.string({ maxLength: 8 }));
        return fc
          .array(fc.tuple(key, fc.oneof(hostileValueText, json(fc.integer({ min: 0, max: 10_000 })), json(fc.constantFrom("opus", "sonnet", "cached")))), { maxLength: 4 })
          .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`);
      }
      const entries = properties.map(([key, child]) =>
        fc.option(valueText(child, key, depth + 1).map((text) => `${JSON.stringify(key)}:${text}`), { freq: required.has(key) ? 12 : 2, nil: undefined }),
      );
      // An unknown property now and then (strict schemas refuse it, so not often: the rest should reach the handlers).
      const extra = fc.oneof(
        { weight: 8, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 8 }), hostileValueText).map(([key, text]) => `${JSON.stringify(key)}:${text}`) },
      );
      return fc.tuple(fc.tuple(...entries), extra).map(([chosen, unknown]) => `{${[...chosen, unknown].filter((part) => part !== undefined).join(",")}}`);
    }
    default:
      return hostileValueText;
  }
}

/** Whole bodies that are not what any operation reads. */
const malformedBody: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.constantFrom("", "{", "[", "nul", "{}garbage", "\ufeff{}", "{\"a\":1,}", "[1,2", "'single'", "{\"a\":\"\\x\"}", "NaN", "Infinity", "-", "1e309", "-0", `"${"\\ud800".repeat(3)}"`),
  fc.constantFrom(deep(5_000), deep(5_000, '{"a":', "}"), deep(100_000)),
  fc.string({ unit: "binary", maxLength: 64 }),
  fc.uint8Array({ maxLength: 64 }),
  fc.constantFrom(new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]), new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]), new Uint8Array([0x22, 0xc0, 0xaf, 0x22])),
  fc.json({ maxDepth: 4 }),
);

/** A body past each endpoint's limit (2 MiB of a valid-looking JSON array). */
const hugeBody = `[${Array.from({ length: 2 * 1024 * 16 }, () => '"' + "z".repeat(60) + '"').join(",")}]`;

const contentTypes = fc.oneof(
  { weight: 6, arbitrary: fc.constant("application/json") },
  { weight: 1, arbitrary: fc.constantFrom(undefined, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1", "application/cloudevents+json", "application/cloudevents-batch+json", "application/xml", "*/*", ";;;", "application/json\u00e9") },
);

/** Latin-1 text a client may put in a header (what fetch accepts). */
const headerText = fc.oneof(
  fc.string({ maxLength: 40 }).filter((text) => /^[\x20-\x7e]*$/.test(text)),
  fc.constantFrom("%00", "é\u00ff", "x".repeat(300), "2026-12-01", "1999-01-01", "latest", "Bearer", "Bearer ", "Bearer tly_live_", `Bearer ${"a".repeat(5000)}`),
);

// ---------------------------------------------------------------------------------------------
// Requests and invariants

type FuzzRequest = { method: string; path: string; headers: Record<string, string>; body?: string | Uint8Array };
type Sender = (request: Request) => Promise<Response>;

function toRequest(request: FuzzRequest): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) headers.set(name, value);
  const hasBody = request.body !== undefined && request.method !== "GET" && request.method !== "HEAD";
  return new Request(`http://tally.test${request.path}`, { method: request.method, headers, ...(hasBody ? { body: request.body as BodyInit } : {}) });
}

const describeRequest = (request: FuzzRequest) => {
  const body = request.body === undefined ? "" : typeof request.body === "string" ? request.body : `bytes ${Buffer.from(request.body).toString("hex")}`;
  return `${request.method} ${request.path.slice(0, 300)} ${JSON.stringify(request.headers).slice(0, 300)} ${JSON.stringify(body.slice(0, 400))}${body.length > 400 ? ` (${body.length} chars)` : ""}`;
};

/** The path with ids replaced, for the status counts. */
const routeOf = (path: string) =>
  path
    .split("?")[0]!
    .replace(/\/api\/v1\/(customers|subscriptions|invoices|entitlements\/reservations)\/[^/]+/, "/api/v1/$1/{id}")
    .slice(0, 80);

type Outcome = { status: number; text: string; json: unknown };

/** Sends one request; asserts never 5xx and, for an error answer, that nothing changed; returns the answer. */
async function sendChecked(send: Sender, request: FuzzRequest, options: { ingestion?: boolean } = {}): Promise<Outcome> {
  const before = await fingerprint();
  const eventsBefore = options.ingestion ? await countEvents() : 0;
  const response = await send(toRequest(request));
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  const key = `${request.method} ${routeOf(request.path)} ${response.status} ${(json as { error?: { code?: string } } | null)?.error?.code ?? ""}`;
  statuses.set(key, (statuses.get(key) ?? 0) + 1);
  const where = `${describeRequest(request)} → ${response.status} ${text.slice(0, 400)}`;
  if (response.status >= 500 && process.env.FUZZ_DUMP) fs.writeFileSync(`${process.env.FUZZ_DUMP}-${Date.now()}.json`, JSON.stringify({ ...request, body: typeof request.body === "string" ? request.body : request.body && Buffer.from(request.body).toString("base64") }));
  expect(response.status, where).toBeLessThan(500);
  if (response.status >= 400) {
    expect(changedTables(before, await fingerprint()), `an error answer changed tables: ${where}`).toEqual([]);
  }
  if (options.ingestion && response.status === 200) {
    const results = (json as { results: { status: string }[] }).results;
    const accepted = results.filter((result) => result.status === "accepted").length;
    expect((json as { accepted: number }).accepted, where).toBe(accepted);
    expect((await countEvents()) - eventsBefore, `stored events ≠ accepted: ${where}`).toBe(accepted);
  }
  return { status: response.status, text, json };
}

async function countEvents(): Promise<number> {
  const [row] = await executeRows<{ count: string }>(database.db, sql`select count(*)::text as count from usage_events`);
  return Number(row!.count);
}

const authHeader = fc.oneof(
  { weight: 8, arbitrary: fc.constant(() => `Bearer ${allKey}`) },
  { weight: 1, arbitrary: fc.constant(() => `Bearer ${readKey}`) },
  { weight: 1, arbitrary: headerText.map((text) => () => text) },
  { weight: 1, arbitrary: fc.constant(() => undefined as string | undefined) },
);

function headersOf(parts: { auth?: () => string | undefined; contentType?: string; extra?: [string, string][] }): Record<string, string> {
  const headers: Record<string, string> = {};
  const auth = parts.auth?.();
  if (auth !== undefined) headers.authorization = auth;
  if (parts.contentType !== undefined) headers["content-type"] = parts.contentType;
  for (const [name, value] of parts.extra ?? []) headers[name] = value;
  return headers;
}

const optionalHeaders = fc.oneof({ weight: 3, arbitrary: fc.constant([] as [string, string][]) }, { weight: 1, arbitrary: fc.array(fc.tuple(fc.constantFrom("idempotency-key", "tally-version", "ce-specversion", "ce-id", "ce-source", "ce-type", "ce-subject", "x-request-id", "accept-encoding"), headerText), { maxLength: 3 }) });

/** A path segment: a known id, generated text (encoded as a client would), or raw hostile percent-encoding. */
function segment(name: string): fc.Arbitrary<string> {
  const pool = knownFor(name);
  return fc.oneof(
    { weight: 4, arbitrary: pool.length > 0 ? fc.constantFrom(...pool).map(encodeURIComponent) : fc.uuid() },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: fc.string({ maxLength: 30 }).filter(isWellFormed).map(encodeURIComponent) },
    { weight: 2, arbitrary: fc.constantFrom("%00", "cus%00x", "%ED%A0%80", "%ff", "%", "%zz", "..", ".", "%2F", "x".repeat(10_000), encodeURIComponent("é🙂"), "a%20b", "%C0%AF") },
  );
}

type Operation = { method: string; template: string; operationId: string; parameters: Parameter[]; body?: Schema; contentTypes: string[] };

const operations: Operation[] = Object.entries(spec.paths).flatMap(([template, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({
    method: method.toUpperCase(),
    template,
    operationId: operation.operationId,
    parameters: operation.parameters ?? [],
    body: operation.requestBody ? Object.values(operation.requestBody.content)[0]!.schema : undefined,
    contentTypes: operation.requestBody ? Object.keys(operation.requestBody.content) : [],
  })),
);

function queryString(operation: Operation): fc.Arbitrary<string> {
  const query = operation.parameters.filter((parameter) => parameter.in === "query");
  const entries = query.map((parameter) =>
    fc.option(
      fc.oneof(shapedText(parameter.schema, parameter.name, 0).map((text) => (text.startsWith('"') ? (JSON.parse(text) as string) : text)), fc.constantFrom(...hostileStrings)),
      { freq: parameter.required ? 10 : 2, nil: undefined },
    ).map((value) => {
      if (value === undefined) return undefined;
      return isWellFormed(value) ? `${parameter.name}=${encodeURIComponent(value)}` : `${parameter.name}=%ED%A0%80`;
    }),
  );
  const extra = fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom("limit=-1", "limit=1e309", "limit=99999999999999999999", "limit=0", "cursor=%00", "starting_after=x", "unknown=1", "a%00=b", "limit=1&limit=2", "=", "&&", "%") },
  );
  return fc.tuple(fc.tuple(...entries), extra).map(([parts, more]) => {
    const all = [...parts, more].filter((part) => part !== undefined);
    return all.length > 0 ? `?${all.join("&")}` : "";
  });
}

function operationRequest(operation: Operation): fc.Arbitrary<FuzzRequest> {
  const segments = operation.template.split("/").map((part) => (part.startsWith("{") ? segment(part.slice(1, -1)) : fc.constant(part)));
  const path = fc.tuple(...segments).map((parts) => `/api/v1${parts.join("/")}`);
  const method = fc.oneof({ weight: 12, arbitrary: fc.constant(operation.method) }, { weight: 1, arbitrary: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE") });
  const body: fc.Arbitrary<string | Uint8Array | undefined> = operation.body
    ? fc.oneof({ weight: 8, arbitrary: shapedText(operation.body, "body", 0) }, { weight: 2, arbitrary: malformedBody }, { weight: 1, arbitrary: fc.constant(hugeBody) })
    : fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: malformedBody });
  const contentType = operation.contentTypes.length > 0 ? fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...operation.contentTypes) }, { weight: 1, arbitrary: contentTypes }) : contentTypes;
  return fc.record({ method, path, query: queryString(operation), body, contentType, auth: authHeader, extra: optionalHeaders }).map((parts) => ({
    method: parts.method,
    path: `${parts.path}${parts.query}`,
    headers: headersOf({ auth: parts.auth, contentType: parts.body === undefined ? undefined : parts.contentType, extra: parts.extra }),
    body: parts.body,
  }));
}

const apiRoutes: Record<string, Sender> = { GET: apiGet, POST: apiPost, PUT: apiPut, PATCH: apiPatch, DELETE: apiDelete };
const sendToApi: Sender = (request) => apiRoutes[request.method]!(request);

const property = <T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>, numRuns: number) =>
  fc.assert(fc.asyncProperty(arbitrary, predicate), {
    numRuns: runs(numRuns),
    seed: fuzzSeed,
    endOnFailure: true,
    // The counterexample can be megabytes (huge and deep bodies): report the failed check, which describes the request briefly, and the seed.
    reporter: (details) => {
      if (details.failed) throw new Error(`Fuzzing failed (FUZZ_SEED=${details.seed}, path ${details.counterexamplePath}): ${String(details.errorInstance).slice(0, 4000)}`);
    },
  });

describe("fuzzing every public endpoint", () => {
  it("every /api/v1 operation in the OpenAPI document: never 5xx, an error answer changes nothing", async () => {
    expect(operations.length).toBeGreaterThanOrEqual(28);
    for (const operation of operations) {
      await property(operationRequest(operation), async (request) => void (await sendChecked(sendToApi, request, { ingestion: operation.operationId === "ingestEvents" && request.method === "POST" })), 12);
    }
  }, fuzzTimeoutMs);

  const cloudEventSchema = spec.components.schemas.CloudEvent!;
  /** One event as JSON text: usually a valid one for a known meter and customer, with generated and hostile parts. */
  const eventText = () => fc
    .record({
      valid: fc.boolean(),
      id: fc.oneof(fc.uuid(), fc.constantFrom(...hostileStrings)),
      type: fc.constantFrom(...known.eventTypes.concat(["req.fz", "llm.fz"])),
      subject: fc.oneof(fc.constantFrom("cus_fz_unknown"), fc.constantFrom(...hostileStrings)),
      shaped: fc.constant(null).chain(() => shapedText(cloudEventSchema, "event", 0)),
      tokens: fc.oneof(hostileNumberText, fc.integer({ min: 0, max: 10_000 }).map(String), hostileStringText),
      model: fc.oneof(fc.constantFrom('"opus"', '"sonnet"'), hostileValueText),
    })
    .map((parts) =>
      parts.valid
        ? `{"specversion":"1.0","id":${JSON.stringify(isWellFormed(parts.id) ? parts.id : "x")},"source":"fuzz","type":${JSON.stringify(parts.type)},"subject":${JSON.stringify(
            isWellFormed(parts.subject) ? parts.subject : "cus_fz",
          )},"data":{"tokens":${parts.tokens},"model":${parts.model}}}`
        : parts.shaped,
    );

  it("/api/v1/events (route handler and hot route; batch, single and binary mode): never 5xx, stores exactly what it accepts", async () => {
    // The known pools are filled in beforeAll, so the generators are built here.
    expect(known.eventTypes.length).toBeGreaterThan(0);
    const ingestion = fc
      .record({
        transport: fc.constantFrom("route", "hot"),
        mode: fc.constantFrom("batch", "batch", "single", "binary", "malformed", "huge"),
        events: fc.array(eventText(), { minLength: 0, maxLength: 12 }),
        malformed: malformedBody,
        contentType: fc.oneof(fc.constantFrom("application/cloudevents-batch+json", "application/cloudevents+json", "application/json"), contentTypes),
        auth: authHeader,
        extra: optionalHeaders,
        binaryData: fc.oneof(shapedText({ type: "object" }, "data", 0), malformedBody),
        binaryHeaders: fc.record({ id: fc.oneof(fc.uuid(), headerText), type: fc.constantFrom(...known.eventTypes, "%00"), subject: fc.oneof(fc.constantFrom(...known.customers), headerText) }),
      })
      .map((parts): [string, FuzzRequest] => {
        const base = { method: "POST", path: "/api/v1/events" };
        if (parts.mode === "binary") {
          const headers = headersOf({ auth: parts.auth, contentType: "application/json", extra: parts.extra });
          Object.assign(headers, { "ce-specversion": "1.0", "ce-id": parts.binaryHeaders.id, "ce-source": "fuzz-binary", "ce-type": parts.binaryHeaders.type, "ce-subject": parts.binaryHeaders.subject });
          return [parts.transport, { ...base, headers, body: parts.binaryData }];
        }
        const body = parts.mode === "batch" ? `[${parts.events.join(",")}]` : parts.mode === "single" ? (parts.events[0] ?? "{}") : parts.mode === "huge" ? hugeBody : parts.malformed;
        return [parts.transport, { ...base, headers: headersOf({ auth: parts.auth, contentType: parts.contentType, extra: parts.extra }), body }];
      });
    await property(ingestion, async ([transport, request]) => void (await sendChecked(transport === "hot" ? hot.send : eventsRoute, request, { ingestion: true })), 150);
  }, fuzzTimeoutMs);

  it("/api/v1/entitlements/check (route handler and hot route): never 5xx, an error answer changes nothing", async () => {
    const check = spec.paths["/entitlements/check"]!.post!;
    const bodySchema = Object.values(check.requestBody!.content)[0]!.schema;
    const request = fc
      .record({
        transport: fc.constantFrom("route", "hot"),
        body: fc.oneof({ weight: 8, arbitrary: shapedText(bodySchema, "body", 0) }, { weight: 2, arbitrary: malformedBody }, { weight: 1, arbitrary: fc.constant(hugeBody) }),
        contentType: fc.oneof({ weight: 5, arbitrary: fc.constant("application/json") }, { weight: 1, arbitrary: contentTypes }),
        auth: authHeader,
        extra: optionalHeaders,
      })
      .map((parts): [string, FuzzRequest] => [parts.transport, { method: "POST", path: "/api/v1/entitlements/check", headers: headersOf(parts), body: parts.body }]);
    await property(request, async ([transport, fuzzRequest]) => void (await sendChecked(transport === "hot" ? hot.send : checkRoute, fuzzRequest)), 150);
  }, fuzzTimeoutMs);

  it("/api/webhooks/stripe: never 5xx whatever the body and signature; only correctly signed events are stored", async () => {
    const webhook = fc
      .record({
        body: fc.oneof(
          { weight: 3, arbitrary: fc.record({ id: fc.oneof(fc.constant(`evt_${crypto.randomBytes(6).toString("hex")}`), fc.string({ maxLength: 20 }), fc.constantFrom(...hostileStrings)), type: fc.constantFrom("invoice.paid", "customer.updated", "charge.refunded", "x", ""), created: fc.integer(), extra: hostileValueText }).map((event) => `{"id":${JSON.stringify(event.id)},"object":"event","type":${JSON.stringify(event.type)},"created":${event.created},"data":{"object":${event.extra}},"livemode":false}`) },
          { weight: 2, arbitrary: malformedBody },
          { weight: 2, arbitrary: fc.json({ maxDepth: 4 }) },
          { weight: 1, arbitrary: fc.constant(hugeBody) },
        ),
        signature: fc.constantFrom("valid", "valid", "missing", "garbage", "old", "other-secret"),
        garbage: headerText,
        contentType: contentTypes,
      })
      .map((parts): [string, FuzzRequest] => {
        const payload = typeof parts.body === "string" ? parts.body : Buffer.from(parts.body).toString("utf8");
        const sign = (options: { secret?: string; timestamp?: number }) => Stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? webhookSecret, timestamp: options.timestamp });
        const signature =
          parts.signature === "valid" ? sign({}) : parts.signature === "old" ? sign({ timestamp: Math.floor(Date.now() / 1000) - 3600 }) : parts.signature === "other-secret" ? sign({ secret: "whsec_other" }) : parts.signature === "garbage" ? parts.garbage : undefined;
        return [parts.signature, { method: "POST", path: "/api/webhooks/stripe", headers: headersOf({ contentType: parts.contentType, extra: signature === undefined ? [] : [["stripe-signature", signature]] }), body: payload }];
      });
    await property(
      webhook,
      async ([signature, request]) => {
        const outcome = await sendChecked(stripeWebhookRoute, request);
        if (signature !== "valid") expect([400, 413], outcome.text).toContain(outcome.status);
      },
      120,
    );
  }, fuzzTimeoutMs);

  it("/api/health and /api/metrics: never 5xx, read-only", async () => {
    const read = fc.record({
      route: fc.constantFrom("health", "metrics"),
      query: fc.oneof(fc.constant(""), fc.constantFrom("?%00", "?a=%ED%A0%80", `?${"q".repeat(10_000)}`, "?format=json")),
      auth: fc.option(headerText, { nil: undefined }),
      remote: fc.constantFrom("127.0.0.1", "::1", "10.0.0.7", "%00", ""),
    });
    await property(
      read,
      async (parts) => {
        const request: FuzzRequest = { method: "GET", path: `/api/${parts.route}${parts.query}`, headers: headersOf({ extra: parts.auth === undefined ? [] : [["authorization", parts.auth]] }) };
        const outcome = await sendChecked((webRequest) => (parts.route === "health" ? healthRoute() : withRequestContext({ remoteAddress: parts.remote }, () => metricsRoute(webRequest))), request);
        if (parts.route === "health") expect(outcome.status).toBe(200);
      },
      40,
    );
  });

  it("the server is still healthy afterwards: health 200 and a valid event accepted on both paths", async () => {
    const health = await healthRoute();
    expect(health.status).toBe(200);
    for (const [name, send] of [["route", eventsRoute], ["hot", hot.send]] as const) {
      const id = `after-fuzz-${name}`;
      const event = { specversion: "1.0", id, source: "fuzz-after", type: known.eventTypes[0], subject: known.customers[0], data: { tokens: 3, model: "opus" } };
      const outcome = await sendChecked(send, { method: "POST", path: "/api/v1/events", headers: { authorization: `Bearer ${allKey}`, "content-type": "application/cloudevents-batch+json" }, body: JSON.stringify([event]) }, { ingestion: true });
      expect(outcome.status).toBe(200);
      expect(outcome.json).toMatchObject({ accepted: 1, rejected: 0 });
    }
    const check = await hot.send(toRequest({ method: "POST", path: "/api/v1/entitlements/check", headers: { authorization: `Bearer ${allKey}`, "content-type": "application/json" }, body: JSON.stringify({ customer: known.customers[0], feature: "sso_fz" }) }));
    expect(check.status).toBe(200);
  });
});
