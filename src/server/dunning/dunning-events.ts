import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { dunningEvents } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";

export type DunningEventInput = {
  caseId: string;
  kind: string;
  attempt?: number | null;
  occurredAt: Date;
  actor: Actor;
  reason?: string | null;
  details?: Record<string, unknown>;
  dedupeKey: string;
};

/** Appends to a case's timeline once per dedupe key; true when this call appended it. */
export async function appendDunningEvent(db: Db, input: DunningEventInput): Promise<boolean> {
  const inserted = await db
    .insert(dunningEvents)
    .values({
      caseId: input.caseId,
      kind: input.kind,
      attempt: input.attempt ?? null,
      occurredAt: input.occurredAt,
      actor: `${input.actor.type}:${input.actor.id}`,
      reason: input.reason ?? null,
      details: input.details ?? {},
      dedupeKey: input.dedupeKey,
    })
    .onConflictDoNothing({ target: dunningEvents.dedupeKey })
    .returning({ id: dunningEvents.id });
  return inserted.length > 0;
}

export const lockCase = (id: string) => sql`select id from dunning_cases where id = ${id} for update`;
