import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { reconciliationDiscrepancies, type ReconciliationDiscrepancy } from "@/db/schema";
import { parseInput } from "@/server/catalog/parse-input";
import { discrepancyKinds } from "./discrepancy";

export const listDiscrepanciesInput = z.object({
  status: z.enum(["open", "resolved", "all"]).default("open"),
  kind: z.enum(discrepancyKinds).optional(),
  customerId: z.uuid().optional(),
  invoiceId: z.uuid().optional(),
  limit: z.number().int().min(1).max(200).default(50),
  /** The `nextCursor` of the previous page. */
  cursor: z.string().max(200).optional(),
});
export type ListDiscrepanciesInput = z.input<typeof listDiscrepanciesInput>;
export type ListDiscrepanciesResult = { items: ReconciliationDiscrepancy[]; nextCursor: string | null };

/**
 * Discrepancies, newest first seen first, a page at a time (cursor = first seen + id). Open ones by
 * default; the anomaly queue turns open ones into `reconciliation` anomalies, the month close
 * checks that none is open for the month.
 */
export async function listDiscrepancies(db: Db, rawInput: ListDiscrepanciesInput = {}): Promise<ListDiscrepanciesResult> {
  const input = parseInput(listDiscrepanciesInput, rawInput);
  const conditions: SQL[] = [];
  if (input.status !== "all") conditions.push(eq(reconciliationDiscrepancies.status, input.status));
  if (input.kind) conditions.push(eq(reconciliationDiscrepancies.kind, input.kind));
  if (input.customerId) conditions.push(eq(reconciliationDiscrepancies.customerId, input.customerId));
  if (input.invoiceId) conditions.push(eq(reconciliationDiscrepancies.invoiceId, input.invoiceId));
  if (input.cursor) {
    const [at, id] = input.cursor.split("|");
    const firstSeen = new Date(at ?? "");
    if (!Number.isNaN(firstSeen.getTime()) && id) {
      conditions.push(or(lt(reconciliationDiscrepancies.firstSeenAt, firstSeen), and(eq(reconciliationDiscrepancies.firstSeenAt, firstSeen), lt(reconciliationDiscrepancies.id, id)))!);
    }
  }
  const rows = await db
    .select()
    .from(reconciliationDiscrepancies)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(reconciliationDiscrepancies.firstSeenAt), desc(reconciliationDiscrepancies.id))
    .limit(input.limit + 1);
  const items = rows.slice(0, input.limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > input.limit && last ? `${last.firstSeenAt.toISOString()}|${last.id}` : null };
}
