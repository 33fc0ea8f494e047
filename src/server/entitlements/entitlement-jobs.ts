import type { JobDefinition } from "@/server/jobs/types";
import type { Worker } from "@/server/workers/types";
import { consumeReservationsFromEvents } from "./consume-reservations-from-events";
import { expireReservations } from "./expire-reservations";

const roundsMax = 1_000;

export const entitlementJobs: JobDefinition[] = [
  {
    name: "entitlements:expire-reservations",
    description: "Mark pending entitlement holds past their time-to-live as expired (checks already ignore them)",
    run: async ({ db, clock }) => {
      let expired = 0;
      for (let round = 0; round < roundsMax; round++) {
        const count = await expireReservations(db, { clock, limit: 5_000 });
        expired += count;
        if (count < 5_000) return { ok: true, expired };
      }
      return { ok: false, expired, message: `still expiring after ${roundsMax} rounds` };
    },
  },
  {
    name: "entitlements:consume-reservations",
    description: "Consume entitlement holds named by ingested usage events (data.reservation_id)",
    run: async ({ db }) => {
      let events = 0;
      let consumed = 0;
      for (let round = 0; round < roundsMax; round++) {
        const result = await consumeReservationsFromEvents(db, { limit: 20_000 });
        events += result.events;
        consumed += result.consumed;
        if (!result.claimed) return { ok: true, events, consumed, message: "another process holds the cursor" };
        if (result.events === 0) return { ok: true, events, consumed };
      }
      return { ok: false, events, consumed, message: `still behind after ${roundsMax} rounds` };
    },
  },
];

/**
 * In every server process: consumes holds named by new events within a second or so, and
 * expires stale holds. Both claim work with SKIP LOCKED, so instances share it.
 */
export const entitlementReservationWorker: Worker = {
  name: "entitlements:reservations",
  idleMs: 500,
  runOnce: async ({ db, clock }) => {
    const consumed = await consumeReservationsFromEvents(db, { limit: 5_000 });
    const expired = await expireReservations(db, { clock, limit: 1_000 });
    return consumed.events + expired;
  },
};
