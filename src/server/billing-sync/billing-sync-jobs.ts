import { DomainError } from "@/server/errors";
import type { JobDefinition } from "@/server/jobs/types";
import { getStripeRuntime } from "@/server/stripe/stripe-runtime";
import { sendMeterEvents, syncMeters } from "./meter-events";
import { pushDueInvoices } from "./push-due";
import { pushInvoiceToStripe } from "./push-invoice";

const bigintSafe = (value: unknown): Record<string, unknown> =>
  JSON.parse(JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner))) as Record<string, unknown>;

export const billingSyncJobs: JobDefinition[] = [
  {
    name: "billing:push-invoice",
    description: "Put one Tally period invoice's usage/discount/credit lines on Stripe's renewal invoice and send its meter events (--invoice <id>)",
    run: async ({ db, clock }, args) => {
      const invoiceId = args.invoice;
      if (typeof invoiceId !== "string" || invoiceId === "") throw new DomainError("invalid", "job_argument_missing", "Pass --invoice <id>.");
      const { stripe } = await getStripeRuntime();
      const pushed = await pushInvoiceToStripe(db, stripe, { invoiceId }, { clock });
      const meterEvents = await sendMeterEvents(db, stripe, { invoiceId }, { clock });
      return bigintSafe({ ...pushed, meterEvents });
    },
  },
  {
    name: "billing:push-due",
    description: "Push every finalized period invoice not yet on a Stripe invoice (after invoicing:close; hourly in Inngest)",
    run: async ({ db, clock, log }) => {
      const { stripe } = await getStripeRuntime();
      const pushed: unknown[] = [];
      const failed: unknown[] = [];
      let afterId: string | undefined;
      for (let page = 0; page < 100; page++) {
        const result = await pushDueInvoices(db, stripe, { afterId }, { clock, log });
        pushed.push(...result.pushed.map((item) => ({ invoiceId: item.invoiceId, stripeInvoiceId: item.stripeInvoiceId, target: item.target, created: item.created })));
        failed.push(...result.failed);
        if (result.nextAfterId === null) break;
        afterId = result.nextAfterId;
      }
      return bigintSafe({ ok: failed.length === 0, pushed, failed });
    },
  },
  {
    name: "billing:sync-meters",
    description: "Create Stripe billing meters for catalog count/sum meters that have none",
    run: async ({ db }) => bigintSafe(await syncMeters(db, (await getStripeRuntime()).stripe)),
  },
];
