import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

/**
 * What every log line and error of one unit of work carries: an API request, a job run, a
 * worker's run. Held in an AsyncLocalStorage, so code anywhere below the entry point reads it
 * with getRequestId() without passing it along.
 */
export type RequestContext = {
  /** Returned to the caller in `x-request-id`, logged with every line and error. */
  readonly requestId: string;
  /** Set for a job run (`npm run job`, Inngest) or a worker's run. */
  readonly job?: string;
  /** The HTTP client's address, for requests (e.g. /api/metrics is open to loopback in development). */
  readonly remoteAddress?: string;
};

export const requestIdHeader = "x-request-id";

/*
 * One store per process, kept on globalThis: Next bundles instrumentation and each route
 * separately, and every copy of this module must share the same store for the request id set
 * in front of Next (install-request-ids.ts) to be seen inside the route handler.
 */
const storeKey = Symbol.for("tally.observability.requestContext");
const holder = globalThis as Record<symbol, unknown>;
const store = (holder[storeKey] ??= new AsyncLocalStorage<RequestContext>()) as AsyncLocalStorage<RequestContext>;

/** Printable, no spaces, at most 128 characters: UUIDs, ULIDs, `req_...`, trace ids. */
const saneRequestId = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** A fresh id: `req_` and 32 hex digits (`job_...` for jobs). */
export function newRequestId(prefix: "req" | "job" = "req"): string {
  return `${prefix}_${randomUUID().replaceAll("-", "")}`;
}

/** The caller's `x-request-id` when it is sane (kept as sent, so both sides log the same id), else a new one. */
export function requestIdFrom(incoming: string | null | undefined): string {
  return incoming !== null && incoming !== undefined && saneRequestId.test(incoming) ? incoming : newRequestId();
}

/** The request id of the work running now, or undefined outside any request or job. */
export function getRequestId(): string | undefined {
  return store.getStore()?.requestId;
}

export function getRequestContext(): RequestContext | undefined {
  return store.getStore();
}

/**
 * Runs `fn` with a request context; `requestId` defaults to a new one. Everything `fn` awaits
 * or schedules sees it (getRequestId(), every log line). Returns what `fn` returns.
 */
export function withRequestContext<T>(context: Partial<RequestContext>, fn: () => T): T {
  const requestId = context.requestId ?? newRequestId(context.job ? "job" : "req");
  return store.run({ ...context, requestId }, fn);
}
