import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { entitlementReservations, type EntitlementReservation } from "@/db/schema";
import { systemClock, type Clock } from "@/server/clock";

export type ReleaseReservationResult =
  | { status: "released"; reservation: EntitlementReservation }
  | { status: "already_settled"; reservation: EntitlementReservation }
  | { status: "not_found" };

/** Gives a pending hold back unused (the client will not use it); idempotent like consumeReservation. */
export async function releaseReservation(db: Db, reservationId: string, options: { clock?: Clock } = {}): Promise<ReleaseReservationResult> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(reservationId)) return { status: "not_found" };
  const now = (options.clock ?? systemClock).now();
  const [released] = await db
    .update(entitlementReservations)
    .set({ status: "released", settledAt: now })
    .where(and(eq(entitlementReservations.id, reservationId), eq(entitlementReservations.status, "pending")))
    .returning();
  if (released) return { status: "released", reservation: released };
  const [existing] = await db.select().from(entitlementReservations).where(eq(entitlementReservations.id, reservationId));
  return existing ? { status: "already_settled", reservation: existing } : { status: "not_found" };
}
