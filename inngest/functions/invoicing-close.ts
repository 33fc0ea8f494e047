import type { Db } from "@/db/client";
import { getDb } from "@/db/client";
import { systemActor } from "@/server/audit/actor";
import { systemClock, type Clock } from "@/server/clock";
import { closeSubscriptionPeriod } from "@/server/invoicing/close-subscription-period";
import { listDuePeriods } from "@/server/invoicing/list-due-periods";
import { inngest } from "../client";

type Context = () => Promise<{ db: Db; clock: Clock }>;
const defaultContext: Context = async () => ({ db: await getDb(), clock: systemClock });

export const closeSubscriptionEvent = "invoicing/subscription.close";
/** Subscriptions listed per step; the fan-out pages through all of them. */
const pageSize = 1_000;
const pagesMax = 1_000;

const bigintSafe = (value: unknown): Record<string, unknown> =>
  JSON.parse(JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner))) as Record<string, unknown>;

/**
 * Hourly (anchors are whole hours, so periods end on the hour): lists the subscriptions with a
 * period due and sends one `invoicing/subscription.close` event each. The event id is derived from
 * (subscription, hour), so a retried fan-out sends nothing twice; closing is idempotent anyway.
 */
export function createInvoicingCloseDueFunction(context: Context = defaultContext) {
  return inngest.createFunction(
    { id: "invoicing-close-due", name: "Fan out the close of due billing periods", retries: 3, concurrency: { limit: 1 }, triggers: [{ cron: "TZ=UTC 5 * * * *" }] },
    async ({ step }) => {
      const until = await step.run("until", async () => (await context()).clock.now().toISOString());
      let afterId: string | undefined;
      let sent = 0;
      for (let page = 0; page < pagesMax; page++) {
        const due = await step.run(`list-due-${page}`, async () => {
          const { db } = await context();
          const result = await listDuePeriods(db, { until: new Date(until), afterId, limit: pageSize });
          return { ids: result.subscriptions.map((subscription) => subscription.subscriptionId), nextAfterId: result.nextAfterId };
        });
        if (due.ids.length > 0) {
          await step.sendEvent(
            `fan-out-${page}`,
            due.ids.map((subscriptionId) => ({ name: closeSubscriptionEvent, id: `close-${subscriptionId}-${until.slice(0, 13)}`, data: { subscriptionId, until } })),
          );
          sent += due.ids.length;
        }
        if (!due.nextAfterId) break;
        afterId = due.nextAfterId;
      }
      return { until, subscriptions: sent };
    },
  );
}

/** Closes one subscription's due periods in one step (one database transaction per period). */
export function createInvoicingCloseSubscriptionFunction(context: Context = defaultContext) {
  return inngest.createFunction(
    {
      id: "invoicing-close-subscription",
      name: "Close a subscription's due billing periods",
      retries: 5,
      concurrency: { limit: 1, key: "event.data.subscriptionId" },
      triggers: [{ event: closeSubscriptionEvent }],
    },
    async ({ event, step }) => {
      const data = event.data as { subscriptionId?: unknown; until?: unknown };
      const subscriptionId = String(data.subscriptionId ?? "");
      return step.run("close", async () => {
        const { db, clock } = await context();
        const until = typeof data.until === "string" ? new Date(data.until) : clock.now();
        const result = await closeSubscriptionPeriod(db, { subscriptionId, until }, { clock, actor: systemActor("invoicing:close") });
        if (result.failed.length > 0) throw new Error(`closing ${subscriptionId} failed: ${result.failed[0]!.message}`);
        return bigintSafe(result);
      });
    },
  );
}

export const invoicingCloseDue = createInvoicingCloseDueFunction();
export const invoicingCloseSubscription = createInvoicingCloseSubscriptionFunction();
