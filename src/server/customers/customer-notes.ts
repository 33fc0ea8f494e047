import { and, desc, eq, lt, or } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { customerNotes, customers, type CustomerNote } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import { DomainError } from "@/server/errors";

export const addCustomerNoteInput = z.object({
  customerId: z.uuid(),
  body: z.string().trim().min(1, "Write the note.").max(4_000, "A note is at most 4,000 characters."),
});
export type AddCustomerNoteInput = z.input<typeof addCustomerNoteInput>;

/** Adds a support note to a customer, audited (`customer.note.add`) in the same transaction. */
export async function addCustomerNote(db: Db, rawInput: AddCustomerNoteInput, context: { actor: Actor }): Promise<CustomerNote> {
  const parsed = addCustomerNoteInput.safeParse(rawInput);
  if (!parsed.success) throw new DomainError("invalid", "invalid_note", parsed.error.issues[0]?.message ?? "Invalid note.", undefined, { param: "body" });
  const input = parsed.data;
  return db.transaction(async (tx) => {
    const [customer] = await tx.select({ id: customers.id }).from(customers).where(eq(customers.id, input.customerId));
    if (!customer) throw new DomainError("not_found", "customer_not_found", "No customer has this id.");
    const [note] = await tx.insert(customerNotes).values({ customerId: input.customerId, body: input.body, authorId: context.actor.id, authorLabel: context.actor.label }).returning();
    await recordAudit(tx, { actor: context.actor, action: "customer.note.add", objectType: "customer", objectId: input.customerId, after: { noteId: note!.id, body: input.body } });
    return note!;
  });
}

export const listCustomerNotesInput = z.object({
  customerId: z.uuid(),
  limit: z.number().int().min(1).max(100).default(20),
  /** The last note of the previous page (newest first). */
  cursor: z.object({ createdAt: z.date(), id: z.uuid() }).optional(),
});
export type ListCustomerNotesInput = z.input<typeof listCustomerNotesInput>;

/** A customer's notes, newest first, keyset-paged on (created_at, id). */
export async function listCustomerNotes(db: Db, rawInput: ListCustomerNotesInput): Promise<{ items: CustomerNote[]; nextCursor: { createdAt: Date; id: string } | null }> {
  const input = listCustomerNotesInput.parse(rawInput);
  const after = input.cursor
    ? or(lt(customerNotes.createdAt, input.cursor.createdAt), and(eq(customerNotes.createdAt, input.cursor.createdAt), lt(customerNotes.id, input.cursor.id)))
    : undefined;
  const rows = await db
    .select()
    .from(customerNotes)
    .where(and(eq(customerNotes.customerId, input.customerId), after))
    .orderBy(desc(customerNotes.createdAt), desc(customerNotes.id))
    .limit(input.limit + 1);
  const items = rows.slice(0, input.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > input.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}
