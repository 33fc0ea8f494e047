import { getDb } from "@/db/client";
import { releaseReservation } from "@/server/entitlements/release-reservation";
import { authenticateApiKey } from "@/server/http/authenticate-api-key";
import { safePathParam } from "@/server/http/read-body";
import { DomainError, handleRoute, jsonResponse } from "@/server/http/error-response";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** POST /api/v1/entitlements/reservations/{id}/release (scope `entitlements`): gives an unused hold back now. */
export async function POST(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleRoute(async () => {
    const db = await getDb();
    await authenticateApiKey(db, request, "entitlements");
    const id = safePathParam((await context.params).id, "reservation id");
    const result = await releaseReservation(db, id);
    if (result.status === "not_found") throw new DomainError("not_found", "reservation_not_found", "No reservation has that id.");
    return jsonResponse({ status: result.status, reservationId: result.reservation.id, reservationStatus: result.reservation.status });
  });
}
