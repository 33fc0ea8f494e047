import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";

export const timelineKinds = [
  "change",
  "plan_change",
  "invoice_issued",
  "invoice_paid",
  "payment_succeeded",
  "payment_failed",
  "refund",
  "credit_granted",
  "credit_burned",
  "promotion_redeemed",
  "webhook",
  "anomaly_opened",
  "anomaly_closed",
  "note",
] as const;
export type TimelineKind = (typeof timelineKinds)[number];

export const listCustomerTimelineInput = z.object({
  customerId: z.uuid(),
  kinds: z.array(z.enum(timelineKinds)).max(timelineKinds.length).optional(),
  limit: z.number().int().min(1).max(100).default(30),
  /** The last entry of the previous page (newest first). */
  cursor: z.object({ at: z.date(), key: z.string().max(200) }).optional(),
});
export type ListCustomerTimelineInput = z.input<typeof listCustomerTimelineInput>;

export type TimelineEntry = {
  at: Date;
  kind: TimelineKind;
  /** Unique within the feed: `<kind>:<id>`; the keyset's tie-breaker. */
  key: string;
  title: string;
  detail: string | null;
  actor: string | null;
  amountMicros: bigint | null;
  currency: string | null;
  /** A console path to the object, when it has a page. */
  href: string | null;
};

type Row = { at: string | Date; kind: TimelineKind; key: string; title: string; detail: string | null; actor: string | null; amount_micros: string | null; currency: string | null; href: string | null };

/**
 * Everything that happened to one customer, newest first, at the time it happened: audited
 * changes (plan changes among them), invoices issued and paid, payments succeeded and failed,
 * refunds, credits granted and burned, promotions redeemed, Stripe webhooks received, anomalies
 * opened and closed, support notes. Each source is read by its customer index, newest first and
 * cut at the page size before the merge, so a page costs about (sources × limit) rows. Keyset
 * paging on (at, key).
 */
export async function listCustomerTimeline(db: Db, rawInput: ListCustomerTimelineInput): Promise<{ items: TimelineEntry[]; nextCursor: { at: Date; key: string } | null }> {
  const input = listCustomerTimelineInput.parse(rawInput);
  const wanted = new Set<TimelineKind>(input.kinds && input.kinds.length > 0 ? input.kinds : timelineKinds);
  const id = input.customerId;
  const take = input.limit + 1;
  const before = (at: SQL, key: SQL) => (input.cursor ? sql`and (${at}, ${key}) < (${input.cursor.at.toISOString()}::timestamptz, ${input.cursor.key})` : sql``);
  const branch = (kind: TimelineKind, select: (before: (at: SQL, key: SQL) => SQL) => SQL) => (wanted.has(kind) ? [sql`(${select(before)} order by 1 desc, 3 desc limit ${take})`] : []);
  const cents = (column: string) => sql.raw(`(${column} * 10000)::text`);
  const branches: SQL[] = [
    ...branch("change", (b) => sql`select a.occurred_at, 'change', 'change:' || a.id, a.action, a.reason, a.actor_label, null::text, null::text, null::text
        from audit_log a where a.object_type = 'customer' and a.object_id = ${id} ${b(sql`a.occurred_at`, sql`'change:' || a.id`)}`),
    ...branch("plan_change", (b) => sql`select a.occurred_at, 'plan_change', 'plan_change:' || a.id, a.action, a.reason, a.actor_label, null::text, null::text, null::text
        from audit_log a where a.object_type = 'subscription' and a.object_id in (select s.id::text from subscriptions s where s.customer_id = ${id}) ${b(sql`a.occurred_at`, sql`'plan_change:' || a.id`)}`),
    ...branch("invoice_issued", (b) => sql`select i.issued_at, 'invoice_issued', 'invoice_issued:' || i.id, 'Invoice ' || coalesce(i.number, 'draft') || ' issued (' || i.kind || ')', to_char(i.period_start at time zone 'UTC', 'YYYY-MM-DD') || ' → ' || to_char(i.period_end at time zone 'UTC', 'YYYY-MM-DD'), null::text, ${cents("i.total_cents")}, i.currency, '/invoices/' || i.id
        from invoices i where i.customer_id = ${id} ${b(sql`i.issued_at`, sql`'invoice_issued:' || i.id`)}`),
    ...branch("invoice_paid", (b) => sql`select i.paid_at, 'invoice_paid', 'invoice_paid:' || i.id, 'Invoice ' || coalesce(i.number, 'draft') || ' paid', null::text, null::text, ${cents("i.total_cents")}, i.currency, '/invoices/' || i.id
        from invoices i where i.customer_id = ${id} and i.paid_at is not null ${b(sql`i.paid_at`, sql`'invoice_paid:' || i.id`)}`),
    ...branch("payment_succeeded", (b) => sql`select c.stripe_created, 'payment_succeeded', 'payment_succeeded:' || c.stripe_id, 'Payment received' || coalesce(' (' || c.card_brand || ' •••• ' || c.card_last4 || ')', ''), c.description, null::text, ${cents("c.amount")}, c.currency, '/customers/' || c.customer_id || '/payments'
        from stripe_charges c where c.customer_id = ${id} and c.status = 'succeeded' ${b(sql`c.stripe_created`, sql`'payment_succeeded:' || c.stripe_id`)}`),
    ...branch("payment_failed", (b) => sql`select c.stripe_created, 'payment_failed', 'payment_failed:' || c.stripe_id, 'Payment failed' || coalesce(' (' || c.card_brand || ' •••• ' || c.card_last4 || ')', ''), coalesce(c.failure_message, c.failure_code), null::text, ${cents("c.amount")}, c.currency, '/customers/' || c.customer_id || '/payments'
        from stripe_charges c where c.customer_id = ${id} and c.status = 'failed' ${b(sql`c.stripe_created`, sql`'payment_failed:' || c.stripe_id`)}`),
    ...branch("refund", (b) => sql`select r.stripe_created, 'refund', 'refund:' || r.stripe_id, 'Refund ' || r.status, r.reason, null::text, ${cents("r.amount")}, r.currency, '/customers/' || r.customer_id || '/payments'
        from stripe_refunds r where r.customer_id = ${id} ${b(sql`r.stripe_created`, sql`'refund:' || r.stripe_id`)}`),
    ...branch("credit_granted", (b) => sql`select g.effective_at, 'credit_granted', 'credit_granted:' || g.id, 'Credit granted (' || g.category || ')', g.reason, g.created_by, g.amount_micros::text, g.currency, null::text
        from credit_grants g where g.customer_id = ${id} ${b(sql`g.effective_at`, sql`'credit_granted:' || g.id`)}`),
    ...branch("credit_burned", (b) => sql`select u.at, 'credit_burned', 'credit_burned:' || u.id, 'Credits used' || coalesce(' on ' || u.meter_key, ''), null::text, null::text, u.covered_micros::text, u.currency, null::text
        from credit_burns u where u.customer_id = ${id} and u.covered_micros > 0 ${b(sql`u.at`, sql`'credit_burned:' || u.id`)}`),
    ...branch("promotion_redeemed", (b) => sql`select p.redeemed_at, 'promotion_redeemed', 'promotion_redeemed:' || p.id, 'Promotion redeemed', null::text, p.redeemed_by, null::text, null::text, null::text
        from promotion_redemptions p where p.customer_id = ${id} ${b(sql`p.redeemed_at`, sql`'promotion_redeemed:' || p.id`)}`),
    ...branch("webhook", (b) => sql`select w.received_at, 'webhook', 'webhook:' || w.id, 'Stripe ' || w.type, w.status, null::text, null::text, null::text, null::text
        from stripe_webhook_events w where w.stripe_customer_id in (select sc.stripe_id from stripe_customers sc where sc.customer_id = ${id}) ${b(sql`w.received_at`, sql`'webhook:' || w.id`)}`),
    ...branch("anomaly_opened", (b) => sql`select n.first_detected_at, 'anomaly_opened', 'anomaly_opened:' || n.id, 'Anomaly: ' || n.title, n.kind, null::text, n.impact_micros::text, n.currency, '/anomalies/' || n.id
        from anomalies n where n.customer_id = ${id} ${b(sql`n.first_detected_at`, sql`'anomaly_opened:' || n.id`)}`),
    ...branch("anomaly_closed", (b) => sql`select n.closed_at, 'anomaly_closed', 'anomaly_closed:' || n.id, 'Anomaly ' || replace(n.status, '_', ' ') || ': ' || n.title, n.closed_reason, null::text, null::text, null::text, '/anomalies/' || n.id
        from anomalies n where n.customer_id = ${id} and n.closed_at is not null ${b(sql`n.closed_at`, sql`'anomaly_closed:' || n.id`)}`),
    ...branch("note", (b) => sql`select t.created_at, 'note', 'note:' || t.id, 'Note', t.body, t.author_label, null::text, null::text, null::text
        from customer_notes t where t.customer_id = ${id} ${b(sql`t.created_at`, sql`'note:' || t.id`)}`),
  ];
  if (branches.length === 0) return { items: [], nextCursor: null };
  const rows = await executeRows<Row>(
    db,
    sql`select at, kind, key, title, detail, actor, amount_micros, currency, href
        from (${sql.join(branches, sql` union all `)}) as feed(at, kind, key, title, detail, actor, amount_micros, currency, href)
        order by at desc, key desc limit ${take}`,
  );
  const items = rows.slice(0, input.limit).map((row) => ({
    at: new Date(row.at),
    kind: row.kind,
    key: row.key,
    title: row.title,
    detail: row.detail,
    actor: row.actor,
    amountMicros: row.amount_micros === null ? null : BigInt(row.amount_micros),
    currency: row.currency,
    href: row.href,
  }));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > input.limit && last ? { at: last.at, key: last.key } : null };
}
