import { eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { anomalies, users, type Anomaly, type AnomalyActivityAction, type AnomalyStatus } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { recordActivity } from "./persist-anomalies";

/** Roles that may be handed an anomaly: the ones that may act on it (src/server/api/permissions.ts, `anomalies.act`). */
const assignableRoles = ["support", "finance", "admin"] as const;

export type AnomalyAction =
  | { action: "acknowledge" }
  | { action: "assign"; assigneeId: string }
  | { action: "unassign" }
  | { action: "note"; note: string }
  | { action: "resolve"; reason: string }
  | { action: "dismiss"; reason: string }
  | { action: "reopen"; reason: string };

const active: readonly AnomalyStatus[] = ["open", "acknowledged"];

function text(value: string, field: "note" | "reason", max: number): string {
  const trimmed = value.trim();
  if (trimmed.length < (field === "reason" ? 3 : 1) || trimmed.length > max) {
    throw new DomainError("invalid", field === "reason" ? "invalid_reason" : "invalid_note", field === "reason" ? `Say why (3 to ${max} characters).` : `Write a note (1 to ${max} characters).`, undefined, { param: field });
  }
  return trimmed;
}

function refuse(anomaly: Anomaly, doing: string): never {
  throw new DomainError("precondition", "anomaly_state_conflict", `This anomaly is ${anomaly.status.replace("_", " ")}; it cannot be ${doing}.`, { status: anomaly.status });
}

/**
 * A person's action on an anomaly, in one transaction with the row locked: the change, a line in
 * the anomaly's activity and an audit entry commit together. Detection respects the result (a
 * resolved or dismissed anomaly is never reopened by a rerun; see persist-anomalies.ts).
 */
export async function actOnAnomaly(db: Db, actor: Actor, clock: Clock, input: { anomalyId: string } & AnomalyAction): Promise<Anomaly> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(input.anomalyId)) throw new DomainError("not_found", "anomaly_not_found", "No such anomaly.");
  return db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    const [before] = await tx.select().from(anomalies).where(eq(anomalies.id, input.anomalyId)).for("update").limit(1);
    if (!before) throw new DomainError("not_found", "anomaly_not_found", "No such anomaly.");
    const now = clock.now();
    let change: Partial<typeof anomalies.$inferInsert> = {};
    let activity: AnomalyActivityAction;
    let note: string | null = null;
    let details: Record<string, unknown> = {};
    switch (input.action) {
      case "acknowledge":
        if (before.status !== "open") refuse(before, "acknowledged");
        change = { status: "acknowledged" };
        activity = "acknowledged";
        break;
      case "assign": {
        if (!active.includes(before.status)) refuse(before, "assigned");
        const [assignee] = await tx.select({ id: users.id, name: users.name, email: users.email, role: users.role, disabled: users.disabled }).from(users).where(eq(users.id, input.assigneeId)).limit(1);
        if (!assignee || assignee.disabled || !(assignableRoles as readonly string[]).includes(assignee.role)) {
          throw new DomainError("invalid", "assignee_invalid", "Assign it to an active support, finance or admin user.", undefined, { param: "assigneeId" });
        }
        if (before.assigneeId === assignee.id) return before;
        // Taking an open anomaly is acknowledging it: someone is on it.
        change = { assigneeId: assignee.id, ...(before.status === "open" ? { status: "acknowledged" as const } : {}) };
        activity = "assigned";
        details = { assigneeId: assignee.id, assigneeName: assignee.name, previousAssigneeId: before.assigneeId };
        break;
      }
      case "unassign":
        if (before.assigneeId === null) throw new DomainError("precondition", "anomaly_not_assigned", "Nobody is assigned to this anomaly.");
        change = { assigneeId: null };
        activity = "unassigned";
        details = { previousAssigneeId: before.assigneeId };
        break;
      case "note":
        note = text(input.note, "note", 5000);
        activity = "noted";
        break;
      case "resolve":
      case "dismiss":
        if (!active.includes(before.status)) refuse(before, input.action === "resolve" ? "resolved" : "dismissed");
        note = text(input.reason, "reason", 1000);
        change = { status: input.action === "resolve" ? "resolved" : "dismissed", closedAt: now, closedReason: note };
        activity = input.action === "resolve" ? "resolved" : "dismissed";
        break;
      case "reopen":
        if (active.includes(before.status)) refuse(before, "reopened");
        note = text(input.reason, "reason", 1000);
        change = { status: "open", closedAt: null, closedReason: null };
        activity = "reopened";
        break;
    }
    const [after] = Object.keys(change).length === 0 ? [before] : await tx.update(anomalies).set({ ...change, updatedAt: now }).where(eq(anomalies.id, before.id)).returning();
    await recordActivity(tx, before.id, activity, now, note, details, actor);
    await recordAudit(tx, {
      actor,
      action: `anomaly.${input.action}`,
      objectType: "anomaly",
      objectId: before.id,
      reason: input.action === "note" ? null : note,
      before: { status: before.status, assigneeId: before.assigneeId },
      after: { status: after!.status, assigneeId: after!.assigneeId },
      metadata: { kind: before.kind, customerId: before.customerId, ...(input.action === "note" ? { note } : {}) },
    });
    return after!;
  });
}

/** Users an anomaly can be assigned to (few: the console's staff). */
export async function listAssignableUsers(db: Db): Promise<{ id: string; name: string; email: string; role: string }[]> {
  return db
    .select({ id: users.id, name: users.name, email: users.email, role: users.role })
    .from(users)
    .where(sql`${users.disabled} = false and ${users.role} in ('support', 'finance', 'admin')`)
    .orderBy(users.name)
    .limit(500);
}
