import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { customers, invoices, users } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { dunningNotificationKinds } from "@/server/dunning/policy";
import { sendEmail, type Email } from "@/server/email/send-email";
import { logger } from "@/server/observability/logger";
import { emitWebhookEvent } from "@/server/webhooks/emit-webhook-event";
import { webhookEndpointDisabledKind } from "@/server/webhooks/disable-failing-endpoints";
import { creditExpiringKind } from "./warn-expiring-credits";

/** The kinds this relay delivers; other notifications (dunning's reminders to customers) wait for their own sender. */
export const relayedKinds = ["spend_limit.warning", dunningNotificationKinds.paymentFailed, creditExpiringKind, webhookEndpointDisabledKind];

type NotificationRow = { id: string; customer_id: string | null; kind: string; payload: Record<string, unknown>; created_at: Date | string };

const formatMicros = (micros: unknown, currency: unknown) => {
  const value = BigInt(String(micros ?? "0"));
  const whole = value / 1_000_000n;
  const cents = ((value < 0n ? -value : value) % 1_000_000n) / 10_000n;
  return `${String(currency ?? "usd").toUpperCase()} ${whole.toLocaleString("en-US")}.${cents.toString().padStart(2, "0")}`;
};

/**
 * Delivers the notifications outbox (`notifications`, written in the transactions of spend
 * warnings, dunning and endpoint disabling): each unsent row becomes its webhook event in the
 * same transaction that marks it sent — `spend_limit.warning` → `usage.threshold_reached`,
 * `dunning.payment_failed` → `invoice.payment_failed`, `credit.expiring` → `credit.expiring` —
 * so it is emitted exactly once. After the commit, with SMTP configured, the customer (spend
 * warnings) or the admins (a disabled endpoint) get an email (best effort; logged when it fails).
 */
export async function relayNotifications(db: Db, clock: Clock, options: { limit?: number } = {}): Promise<{ relayed: number; emitted: number; emailed: number }> {
  const limit = Math.min(Math.max(options.limit ?? 100, 1), 500);
  const now = clock.now();
  const mails: Email[] = [];
  const outcome = await db.transaction(async (tx) => {
    const rows = await executeRows<NotificationRow>(
      tx,
      sql`select id, customer_id, kind, payload, created_at from notifications
          where sent_at is null and kind = any(${`{${relayedKinds.join(",")}}`}::text[])
          order by created_at limit ${limit} for update skip locked`,
    );
    let emitted = 0;
    for (const row of rows) {
      const payload = row.payload;
      const customer = row.customer_id ? (await tx.select({ id: customers.id, email: customers.email, name: customers.name }).from(customers).where(eq(customers.id, row.customer_id)))[0] : undefined;
      if (row.kind === "spend_limit.warning" && customer) {
        await emitWebhookEvent(tx, {
          type: "usage.threshold_reached",
          customerId: customer.id,
          at: now,
          data: {
            object: {
              object: "usage_threshold",
              customer: customer.id,
              threshold_percent: payload.thresholdPercent,
              limit_micros: payload.limitMicros,
              used_micros: payload.usedMicros,
              currency: payload.currency,
              period: { start: payload.periodStart, end: payload.periodEnd },
              reached_at: new Date(row.created_at).toISOString(),
            },
          },
        });
        emitted += 1;
        mails.push({
          to: [customer.email],
          subject: `You have used ${String(payload.thresholdPercent)}% of your spend limit`,
          text: `Hello ${customer.name},\n\nYour usage this period has reached ${formatMicros(payload.usedMicros, payload.currency)} of your ${formatMicros(payload.limitMicros, payload.currency)} spend limit (${String(payload.thresholdPercent)}%). Past the limit, usage-based features stop until the period ends on ${String(payload.periodEnd)} or the limit is raised.\n`,
          messageKey: `notification-${row.id}`,
        });
      } else if (row.kind === dunningNotificationKinds.paymentFailed && customer) {
        const stripeInvoiceId = String(payload.stripeInvoiceId ?? "");
        const [invoice] = stripeInvoiceId ? await tx.select({ id: invoices.id }).from(invoices).where(eq(invoices.stripeInvoiceId, stripeInvoiceId)) : [];
        await emitWebhookEvent(tx, {
          type: "invoice.payment_failed",
          customerId: customer.id,
          at: now,
          data: {
            object: {
              object: "invoice_payment_failure",
              customer: customer.id,
              invoice: invoice?.id ?? null,
              stripe_invoice_id: stripeInvoiceId || null,
              attempt: payload.attempt ?? null,
              amount_due_micros: payload.amountDueMicros ?? null,
              currency: payload.currency ?? null,
              next_retry_at: payload.nextRetryAt ?? null,
              hosted_invoice_url: payload.hostedInvoiceUrl ?? null,
            },
          },
        });
        emitted += 1;
      } else if (row.kind === creditExpiringKind && customer) {
        await emitWebhookEvent(tx, { type: "credit.expiring", customerId: customer.id, at: now, data: { object: { object: "credit_expiring", customer: customer.id, ...payload } } });
        emitted += 1;
      } else if (row.kind === webhookEndpointDisabledKind) {
        const admins = await tx.select({ email: users.email }).from(users).where(and(eq(users.role, "admin"), eq(users.disabled, false))).limit(50);
        mails.push({
          to: admins.map((admin) => admin.email),
          subject: `Tally disabled a webhook endpoint: ${String(payload.url)}`,
          text: `Every delivery to ${String(payload.url)} failed for three days (since ${String(payload.failingSince)}), so Tally disabled the endpoint at ${String(payload.disabledAt)}.\n\nFix the receiver, then re-enable the endpoint in the console (Admin → Webhooks out): its pending deliveries resume, and failed ones can be replayed from its delivery log.\n`,
          messageKey: `notification-${row.id}`,
        });
      }
    }
    if (rows.length > 0) await tx.execute(sql`update notifications set sent_at = ${now.toISOString()}::timestamptz where id = any(${`{${rows.map((row) => row.id).join(",")}}`}::uuid[])`);
    return { relayed: rows.length, emitted };
  });
  let emailed = 0;
  for (const mail of mails) {
    try {
      if (await sendEmail(mail)) emailed += 1;
    } catch (error) {
      logger.warn({ err: error, component: "email", subject: mail.subject }, "notification email failed");
    }
  }
  return { ...outcome, emailed };
}
