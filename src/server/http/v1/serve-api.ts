import { apiError, runEndpoint, type ApiRequest, type ApiResponse } from "../api-exchange";
import { currentApiVersion } from "../api-version";
import { matchOperation } from "./registry";
import { serveOperation, type ServeOptions } from "./serve-operation";

/** Any request under /api/v1 that no route file takes: an operation, or 404/405 in the API's error shape. */
export async function serveApiRequest(request: ApiRequest, options: ServeOptions = {}): Promise<ApiResponse> {
  const pathname = new URL(request.url, "http://tally.invalid").pathname;
  const match = matchOperation(request.method, pathname);
  if (match.kind === "found") return serveOperation(match.operation, request, match.params, options);
  const response = await runEndpoint(request, async (requestId) =>
    match.kind === "bad_path"
      ? apiError(400, "invalid_path", "The path holds percent-encoding that is not UTF-8 text; encode path segments with encodeURIComponent.", { requestId, param: "path" })
      : match.kind === "method_not_allowed"
      ? apiError(405, "method_not_allowed", `${request.method} is not allowed here; use ${match.allowed.join(" or ")}.`, { requestId, headers: { allow: match.allowed.join(", ") } })
      : apiError(404, "route_not_found", `No API operation at ${request.method} ${pathname.slice(0, 200)}; see /api/v1/openapi.json or /api/docs.`, { requestId }),
  );
  response.headers["tally-version"] = currentApiVersion;
  return response;
}
