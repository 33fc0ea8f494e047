import { openApiJson } from "@/server/http/v1/openapi";

export const runtime = "nodejs";

/** The OpenAPI 3.1 document of /api/v1 (public: no key needed to read the reference). */
export function GET(): Response {
  return new Response(openApiJson(), { headers: { "content-type": "application/json; charset=utf-8", "cache-control": "public, max-age=300", "access-control-allow-origin": "*" } });
}
