import type { JobDefinition } from "@/server/jobs/types";
import type { Worker } from "@/server/workers/types";
import { deliverWebhooks } from "@/server/webhooks/deliver-webhooks";
import { relayNotifications } from "./relay-notifications";
import { warnExpiringCredits } from "./warn-expiring-credits";

/**
 * Registered in src/server/workers/registry.ts: every server process relays the notifications
 * outbox into webhook events and delivers due webhooks, polling every 200 ms when idle (so an
 * event reaches its endpoints well within a second of its commit) and at once while busy.
 */
export const webhookDeliveryWorker: Worker = {
  name: "webhooks:deliver",
  idleMs: 200,
  runOnce: async ({ db, clock }) => {
    const relayed = await relayNotifications(db, clock);
    const delivered = await deliverWebhooks(db, { clock });
    return relayed.relayed + delivered.claimed;
  },
};

export const webhookJobs: JobDefinition[] = [
  {
    name: "webhooks:deliver",
    description: "Relay the notifications outbox into webhook events and deliver every due webhook (as the in-process worker does)",
    run: async ({ db, clock, log }) => {
      let claimed = 0;
      let delivered = 0;
      for (let round = 0; round < 200; round++) {
        const relay = await relayNotifications(db, clock);
        const result = await deliverWebhooks(db, { clock });
        claimed += result.claimed;
        delivered += result.delivered;
        if (result.claimed === 0 && relay.relayed === 0) break;
        log(`round ${round + 1}: ${result.claimed} claimed, ${result.delivered} delivered, ${result.failed} to retry, ${result.gaveUp} gave up`);
      }
      return { ok: true, claimed, delivered };
    },
  },
  {
    name: "webhooks:warn-expiring-credits",
    description: "Record credit.expiring once per grant that expires within 7 days with credit left",
    run: async ({ db, clock }) => ({ ok: true, ...(await warnExpiringCredits(db, clock)) }),
  },
];
