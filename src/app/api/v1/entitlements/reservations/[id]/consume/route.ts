import { z } from "zod";
import { getDb } from "@/db/client";
import { consumeReservation } from "@/server/entitlements/consume-reservation";
import { authenticateApiKey } from "@/server/http/authenticate-api-key";
import { DomainError, handleRoute, jsonResponse } from "@/server/http/error-response";
import { parseJson, readBodyText, safePathParam } from "@/server/http/read-body";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const bodySchema = z.object({ quantity: z.string().max(40).regex(/^\d{1,20}(\.\d{1,12})?$/).optional() }).strict();

/**
 * POST /api/v1/entitlements/reservations/{id}/consume (scope `entitlements`), body `{quantity?}`:
 * settles a hold as used, after its usage event was sent. Events carrying `data.reservation_id`
 * are consumed automatically; this is for clients that cannot tag their events.
 */
export async function POST(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handleRoute(async () => {
    const db = await getDb();
    await authenticateApiKey(db, request, "entitlements");
    const id = safePathParam((await context.params).id, "reservation id");
    const text = await readBodyText(request, { maxBytes: 1_024 });
    const parsed = bodySchema.safeParse(text.trim() === "" ? {} : parseJson(text));
    if (!parsed.success) throw new DomainError("invalid", "invalid_quantity", "quantity must be a decimal string such as \"1\".");
    const result = await consumeReservation(db, id, parsed.data.quantity ?? null);
    if (result.status === "not_found") throw new DomainError("not_found", "reservation_not_found", "No reservation has that id.");
    return jsonResponse({ status: result.status, reservationId: result.reservation.id, reservationStatus: result.reservation.status });
  });
}
