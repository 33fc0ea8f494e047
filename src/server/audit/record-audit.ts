import { auditLog } from "@/db/schema";
import type { Db } from "@/db/client";
import type { Actor } from "./actor";

export type RecordAuditInput = {
  actor: Actor;
  /** `<object>.<verb>`, e.g. `customer.create`, `ledger.transaction.reverse`. */
  action: string;
  objectType: string;
  objectId: string;
  /** Required wherever a person acts on money or access; the UI asks for it. */
  reason?: string | null;
  before?: unknown;
  after?: unknown;
  metadata?: Record<string, unknown>;
};

/**
 * Every mutation, human or machine, goes through here, inside the same transaction as the
 * change it records, so a change and its audit entry commit or roll back together.
 */
export async function recordAudit(db: Db, input: RecordAuditInput): Promise<void> {
  await db.insert(auditLog).values({
    actorType: input.actor.type,
    actorId: input.actor.id,
    actorLabel: input.actor.label,
    action: input.action,
    objectType: input.objectType,
    objectId: input.objectId,
    reason: input.reason ?? null,
    before: toJson(input.before),
    after: toJson(input.after),
    metadata: (toJson(input.metadata) as Record<string, unknown> | null) ?? {},
  });
}

/** bigint and Date do not survive jsonb as-is: money crosses as a string, time as ISO. */
function toJson(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(
    JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner)),
  );
}
