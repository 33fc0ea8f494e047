import { serveApiRequest } from "@/server/http/v1/serve-api";
import { serveFromRoute } from "@/server/http/web-exchange";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** Every /api/v1 operation (src/server/http/v1/registry.ts) and the API's 404/405 in its error shape. */
function serve(request: Request): Promise<Response> {
  return serveFromRoute(request, serveApiRequest);
}

export const GET = serve;
export const POST = serve;
export const PUT = serve;
export const PATCH = serve;
export const DELETE = serve;
