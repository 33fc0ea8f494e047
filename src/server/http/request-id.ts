import { getRequestId, requestIdFrom } from "@/server/observability/request-context";
import type { HeaderReader } from "./api-exchange";

/**
 * The request's id: the one the observability layer gave this request (src/server/observability,
 * installed in front of every HTTP request), else — in tests that call a handler directly — the
 * caller's sane `x-request-id` or a new one. Returned on every answer as `x-request-id` and in
 * every error body as `request_id`.
 */
export function requestIdFor(headers: HeaderReader): string {
  return getRequestId() ?? requestIdFrom(headers.get("x-request-id"));
}
