import { Readable } from "node:stream";
import { getDb } from "@/db/client";
import { requireSessionPermission } from "@/server/auth/require-api-permission";
import { systemClock } from "@/server/clock";
import { buildClosePackage } from "@/server/reports/export/close-package";
import { errorResponse, errorToResponse } from "@/server/reports/export/export-response";

export const dynamic = "force-dynamic";

/** `GET /api/reports/close-package?month=YYYY-MM`: the closed month's package (zip), streamed. */
export async function GET(request: Request): Promise<Response> {
  const user = await requireSessionPermission("reports.export");
  if (user instanceof Response) return user;
  const month = new URL(request.url).searchParams.get("month") ?? "";
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return errorResponse(400, "month_invalid", "Give month as YYYY-MM, e.g. ?month=2026-03.", "month");
  try {
    const closePackage = await buildClosePackage(await getDb(), { month, now: systemClock.now() });
    return new Response(Readable.toWeb(closePackage.stream) as ReadableStream, {
      headers: { "content-type": "application/zip", "content-disposition": `attachment; filename="${closePackage.name}"`, "cache-control": "no-store" },
    });
  } catch (error) {
    return errorToResponse(error);
  }
}
