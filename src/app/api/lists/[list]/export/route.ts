import { getDb } from "@/db/client";
import { exportListResponse } from "@/server/api/lists/export-list";
import { listExports } from "@/server/api/lists/registry";
import { requireSessionPermission } from "@/server/auth/require-api-permission";

export const dynamic = "force-dynamic";

/** `GET /api/lists/<list>/export?<the list's URL view>`: the console list's current view as CSV, streamed. */
export async function GET(request: Request, { params }: { params: Promise<{ list: string }> }): Promise<Response> {
  const { list } = await params;
  const definition = Object.hasOwn(listExports, list) ? listExports[list] : undefined;
  if (!definition) {
    return Response.json({ error: { code: "list_not_found", message: `No list "${list.slice(0, 40)}". Lists: ${Object.keys(listExports).join(", ")}.` } }, { status: 404 });
  }
  const user = await requireSessionPermission(definition.permission);
  if (user instanceof Response) return user;
  return exportListResponse(await getDb(), definition, new URL(request.url).searchParams, { userId: user.id });
}
