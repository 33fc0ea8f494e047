import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import { DomainError } from "@/server/errors";
import { listUnknownSubjectsForReview, type UnknownSubject } from "./list-unknown-subjects-for-review";
import { rollupCursorName } from "./rollup-sql";

export const attachUnknownEventsInput = z.object({
  externalId: z.string().min(1).max(256),
  reason: z.string().trim().max(500).optional(),
});

export type AttachUnknownEventsInput = z.input<typeof attachUnknownEventsInput> & { actor: Actor };

/**
 * Events whose subject named no customer when they arrived are stored with customer_id null
 * (found through usage_events_unknown_customer_idx). Once the customer exists, this attaches
 * them. Rollups are keyed by subject (the external id), so they already include these events
 * and need no recomputation.
 */
export async function attachUnknownEvents(db: Db, input: AttachUnknownEventsInput): Promise<{ attached: number }> {
  const parsed = attachUnknownEventsInput.parse(input);
  return db.transaction(async (tx) => {
    const [customer] = await executeRows<{ id: string }>(
      tx as unknown as Db,
      sql`select id from customers where external_id = ${parsed.externalId}`,
    );
    if (!customer) {
      throw new DomainError("not_found", "customer_not_found", `No customer has external id ${parsed.externalId}; create it first.`);
    }
    const rows = await executeRows<{ count: string | number }>(
      tx as unknown as Db,
      sql`with attached as (
            update usage_events set customer_id = ${customer.id}
            where subject = ${parsed.externalId} and customer_id is null
            returning 1)
          select count(*) as count from attached`,
    );
    const attached = Number(rows[0]?.count ?? 0);
    // Every event of this subject now has its customer: it is no longer an unknown subject. The
    // rollup claim counts unknown subjects; a claim in flight may have read these events before
    // this update, so wait for it (its cursor lock) and remove the subject after its count.
    // Claims after this commit see the customer. Held only for the delete.
    await tx.execute(sql`select 1 from metering_cursors where name = ${rollupCursorName} for update`);
    await tx.execute(sql`delete from metering_unknown_subjects where subject = ${parsed.externalId}`);
    if (attached > 0) {
      await recordAudit(tx as unknown as Db, {
        actor: input.actor,
        action: "usage_events.attach_unknown",
        objectType: "customer",
        objectId: customer.id,
        reason: parsed.reason ?? null,
        metadata: { externalId: parsed.externalId, attached },
      });
    }
    return { attached };
  });
}

export type { UnknownSubject };

/** Subjects with events but no customer, most events first: the first page of the unknown subjects list. */
export async function listUnknownSubjects(db: Db, options: { limit?: number } = {}): Promise<UnknownSubject[]> {
  const subjects = await listUnknownSubjectsForReview(db, options);
  return subjects.map(({ customer: _customer, ...subject }) => subject);
}
