import type Stripe from "stripe";
import type { z } from "zod";
import type { Db } from "@/db/client";
import type { ApiKeyScope } from "@/db/schema";
import type { VerifiedApiKey } from "@/server/api-keys/verify-api-key";
import type { Actor } from "@/server/audit/actor";
import type { Clock } from "@/server/clock";
import type { ApiRequest, ApiResponse } from "../api-exchange";

export type HttpMethod = "GET" | "POST";

type ZodObjectLike = z.ZodObject<z.ZodRawShape>;

/** Documented answers of an operation: status → body schema (errors share the Error schema). */
export type ResponseMap = Partial<Record<200 | 201, z.ZodType>>;

export type OperationResult<R extends ResponseMap> = { [S in keyof R & number]: { status: S; body: z.input<NonNullable<R[S]>>; headers?: Record<string, string> } }[keyof R & number];

export type OperationContext<P, Q, B> = {
  db: Db;
  clock: Clock;
  key: VerifiedApiKey;
  actor: Actor;
  requestId: string;
  params: P;
  query: Q;
  body: B;
  /** The Stripe client (emulator in development), or null when none is reachable. */
  stripe: () => Promise<Stripe | null>;
  /** The request's `Idempotency-Key` (POST), when it sent one. */
  idempotencyKey: string | null;
  /** Names the customer this request concerned, for the customer's API activity in the console. */
  concerns: (customerId: string) => void;
};

/** Error statuses an operation documents beyond the ones every authenticated operation has (400, 401, 403, 429). */
export type ErrorStatus = 404 | 409 | 413 | 422 | 503;

type OperationBase = {
  /** The spec's operationId (camelCase, stable: generated clients name methods after it). */
  id: string;
  method: HttpMethod;
  /** Relative to /api/v1, with `{param}` segments. */
  path: string;
  /** The scope a key needs. */
  scope: ApiKeyScope;
  tag: string;
  summary: string;
  description?: string;
  errors: readonly ErrorStatus[];
  /** Largest body accepted (bytes); default 64 KiB. */
  bodyBytesMax?: number;
  /** One row in api_request_log per request (default true; off for the hot event and check routes). */
  logRequests?: boolean;
};

export type TypedOperation<P extends ZodObjectLike, Q extends ZodObjectLike, B extends z.ZodType, R extends ResponseMap> = OperationBase & {
  kind: "typed";
  params?: P;
  query?: Q;
  body?: B;
  responses: R;
  handler: (context: OperationContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<OperationResult<R>>;
};

/**
 * An endpoint that reads its own body (CloudEvents in several content modes, the entitlement
 * check's hand-tuned parser): the conventions (version, key, scope, rate limit, idempotency,
 * request id, error shape) still apply; `requestBody` documents what it accepts.
 */
export type RawOperation = OperationBase & {
  kind: "raw";
  requestBody: { contentTypes: readonly string[]; schema: z.ZodType; description: string };
  responses: ResponseMap;
  handler: (request: ApiRequest, context: Omit<OperationContext<unknown, unknown, unknown>, "params" | "query" | "body">) => Promise<ApiResponse>;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOperation = TypedOperation<any, any, any, any> | RawOperation;

export function defineOperation<P extends ZodObjectLike, Q extends ZodObjectLike, B extends z.ZodType, R extends ResponseMap>(operation: Omit<TypedOperation<P, Q, B, R>, "kind">): TypedOperation<P, Q, B, R> {
  return { ...operation, kind: "typed" };
}

export function defineRawOperation(operation: Omit<RawOperation, "kind">): RawOperation {
  return { ...operation, kind: "raw" };
}
