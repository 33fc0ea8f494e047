import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { entitlementReservations, type EntitlementReservation } from "@/db/schema";
import { systemClock, type Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { decimalToString, parseQuantity } from "@/server/pricing/decimal";

export type ConsumeReservationResult =
  | { status: "consumed"; reservation: EntitlementReservation }
  | { status: "already_settled"; reservation: EntitlementReservation }
  | { status: "not_found" };

/**
 * Settles a pending hold as used. Call it once the usage event is ingested (the hold stops
 * counting here; the event counts from ingestion): the consumption worker does so for events
 * carrying `data.reservation_id`. A hold already consumed, released or expired is left as it
 * is (`already_settled`), so retries are harmless. `quantity` records what was actually used.
 */
export async function consumeReservation(
  db: Db,
  reservationId: string,
  quantity: string | null,
  options: { clock?: Clock; consumedByEvent?: string } = {},
): Promise<ConsumeReservationResult> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(reservationId)) return { status: "not_found" };
  const consumedQuantity = quantity === null ? null : readConsumedQuantity(quantity);
  if (options.consumedByEvent !== undefined && options.consumedByEvent.length > 600) throw new DomainError("invalid", "invalid_event", "event reference too long");
  const now = (options.clock ?? systemClock).now();
  const [consumed] = await db
    .update(entitlementReservations)
    .set({
      status: "consumed",
      consumedQuantity: consumedQuantity === null ? sql`${entitlementReservations.quantity}` : consumedQuantity,
      consumedByEvent: options.consumedByEvent ?? null,
      settledAt: now,
    })
    .where(and(eq(entitlementReservations.id, reservationId), eq(entitlementReservations.status, "pending")))
    .returning();
  if (consumed) return { status: "consumed", reservation: consumed };
  const [existing] = await db.select().from(entitlementReservations).where(eq(entitlementReservations.id, reservationId));
  return existing ? { status: "already_settled", reservation: existing } : { status: "not_found" };
}

/** A quantity used is a non-negative decimal: anything else is the caller's mistake (400), not a failure (found by fuzzing: "-1" answered 500). */
function readConsumedQuantity(quantity: string): string {
  try {
    return decimalToString(parseQuantity(quantity, "quantity"));
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new DomainError("invalid", "parameter_invalid", `\`quantity\` must be a non-negative decimal string such as "1" or "1500.5", got ${JSON.stringify(quantity.slice(0, 40))}.`, undefined, { param: "quantity" });
  }
}
