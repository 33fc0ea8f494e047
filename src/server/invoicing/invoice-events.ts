import { inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { invoices } from "@/db/schema";
import { emitWebhookEvents } from "@/server/webhooks/emit-webhook-event";
import type { WebhookEventType } from "@/server/webhooks/webhook-event-types";
import { invoiceJson, readInvoiceLines } from "./invoice-json";

const batchMax = 1_000;

/** `invoice.*` events with the invoices as the API shows them (lines included), in the caller's transaction, in batches. */
export async function emitInvoiceEvents(tx: Db, type: Extract<WebhookEventType, "invoice.finalized" | "invoice.paid">, invoiceIds: readonly string[], at: Date): Promise<void> {
  for (let start = 0; start < invoiceIds.length; start += batchMax) {
    const ids = invoiceIds.slice(start, start + batchMax);
    const rows = await tx.select().from(invoices).where(inArray(invoices.id, ids));
    const lines = await readInvoiceLines(tx, ids);
    await emitWebhookEvents(tx, rows.map((invoice) => ({ type, customerId: invoice.customerId, data: { object: invoiceJson(invoice, lines.get(invoice.id) ?? []) }, at })));
  }
}
