import { getDb } from "@/db/client";
import { requireSessionPermission } from "@/server/auth/require-api-permission";
import { exportReportResponse } from "@/server/reports/export/export-response";

export const dynamic = "force-dynamic";

/** `GET /api/reports/<report>/export?format=csv|xlsx&...`: a finance report, streamed. The customer statement needs only reports.read. */
export async function GET(request: Request, { params }: { params: Promise<{ report: string }> }): Promise<Response> {
  const { report } = await params;
  const user = await requireSessionPermission(report === "statement" ? "reports.read" : "reports.export");
  if (user instanceof Response) return user;
  return exportReportResponse(await getDb(), report, new URL(request.url).searchParams);
}
