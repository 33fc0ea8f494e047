import { getDb } from "@/db/client";
import { authenticateApiKey } from "@/server/http/authenticate-api-key";
import { safePathParam } from "@/server/http/read-body";
import { handleRoute, jsonResponse } from "@/server/http/error-response";
import { getCustomerUsage } from "@/server/metering/get-customer-usage";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * GET /api/v1/customers/{externalId}/usage?meter=&from=&to=&window=hour|day|month&groupBy=a,b
 * (API key scope `read`): usage from the rollups; from/to are whole UTC hours, range bounded
 * by window (31 days hourly, 400 daily, 1,830 monthly).
 */
export async function GET(request: Request, context: { params: Promise<{ externalId: string }> }): Promise<Response> {
  return handleRoute(async () => {
    const db = await getDb();
    await authenticateApiKey(db, request, "read");
    const externalId = safePathParam((await context.params).externalId, "externalId");
    const query = new URL(request.url).searchParams;
    for (const [name, value] of query) safePathParam(value, name);
    const groupBy = query.getAll("groupBy").flatMap((value) => value.split(",")).map((value) => value.trim()).filter(Boolean);
    const usage = await getCustomerUsage(db, {
      externalId,
      meterKey: query.get("meter") ?? "",
      from: query.get("from") ?? "",
      to: query.get("to") ?? "",
      window: (query.get("window") ?? "day") as "day",
      groupBy,
    });
    return jsonResponse(usage);
  });
}
