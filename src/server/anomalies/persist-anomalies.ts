import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { anomalies, anomalyActivity, customers, type Anomaly, type AnomalyKind } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import { emitWebhookEvents } from "@/server/webhooks/emit-webhook-event";
import { anomalyJson } from "./anomaly-json";
import { maxSeverity, severityOf, type AnomalyCandidate } from "./candidate";
import type { AnomalySettings } from "./settings";

/**
 * What one run examined, per kind: `customerId` / `subject` "*" stand for every customer / subject.
 * An active anomaly inside a scope (window ending after `since`) that the run did not find again
 * has cleared and is auto-resolved.
 */
export type Scope = { kind: AnomalyKind; customerId: string | "*"; subject: string | "*"; since: Date | null };

export type PersistAnomaliesResult = {
  /** Newly opened anomalies: the hook point for notifications (`anomaly.opened` webhooks). */
  opened: Anomaly[];
  reopened: Anomaly[];
  updated: number;
  unchanged: number;
  autoResolved: Anomaly[];
  /** Candidates matching an anomaly a person resolved or dismissed: left alone. */
  respected: number;
};

const actor = systemActor("anomalies:detect");
/** Windows this close are the same episode (an hourly run's window meets the daily run's). */
const touchMs = 3_600_000;
const zeroUuid = "00000000-0000-0000-0000-000000000000";
const activeLoadMax = 200_000;

/**
 * Turns a run's candidates into anomalies, idempotently, in one database transaction under an
 * advisory lock (two runs at once queue instead of both inserting):
 * - a candidate whose (kind, customer, subject) has an anomaly with an overlapping or touching
 *   window updates that one (its window may grow; its start, part of the identity, never moves);
 *   an auto-resolved one is reopened; one a person resolved or dismissed is left alone;
 * - otherwise a new anomaly is opened (the unique key (kind, customer, subject, window_start) is the
 *   backstop);
 * - active anomalies inside the run's scopes that were not found again are auto-resolved, never
 *   deleted.
 * Rerunning over the same data opens nothing and changes nothing that matters.
 */
export async function persistAnomalies(db: Db, input: { candidates: readonly AnomalyCandidate[]; scopes: readonly Scope[]; now: Date; settings: AnomalySettings }): Promise<PersistAnomaliesResult> {
  return db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    await executeRows(tx, sql`select pg_advisory_xact_lock(hashtext('anomalies:persist'))`);
    const candidates = dedupeCandidates(input.candidates);
    const existing = await loadExisting(tx, candidates, input.scopes);
    const byIdentity = new Map<string, Anomaly[]>();
    for (const anomaly of existing) byIdentity.set(identity(anomaly.kind, anomaly.customerId, anomaly.subject), [...(byIdentity.get(identity(anomaly.kind, anomaly.customerId, anomaly.subject)) ?? []), anomaly]);
    const result: PersistAnomaliesResult = { opened: [], reopened: [], updated: 0, unchanged: 0, autoResolved: [], respected: 0 };
    const matched = new Set<string>();
    for (const candidate of candidates) {
      const severity = severityOf(candidate, input.settings);
      const match = (byIdentity.get(identity(candidate.kind, candidate.customerId, candidate.subject)) ?? [])
        .filter((anomaly) => overlaps(anomaly, candidate))
        .sort((a, b) => Number(isActive(b)) - Number(isActive(a)) || b.windowStart.getTime() - a.windowStart.getTime())[0];
      if (!match) {
        const opened = await open(tx, candidate, severity, input.now);
        if (opened) {
          result.opened.push(opened);
          matched.add(opened.id);
        }
        continue;
      }
      matched.add(match.id);
      if (match.status === "resolved" || match.status === "dismissed") {
        result.respected++;
        continue;
      }
      const changed = await refresh(tx, match, candidate, severity, input.now);
      if (match.status === "auto_resolved") result.reopened.push(changed.row);
      else if (changed.material) result.updated++;
      else result.unchanged++;
    }
    for (const anomaly of existing) {
      if (!isActive(anomaly) || matched.has(anomaly.id) || !inScope(anomaly, input.scopes)) continue;
      result.autoResolved.push(await autoResolve(tx, anomaly, input.now));
    }
    await emitOpened(tx, result, input.now);
    return result;
  });
}

/**
 * `anomaly.opened` for every anomaly this run opened, or reopened after it had cleared, written to
 * the webhooks outbox in the run's transaction: an anomaly and its notification commit together.
 */
async function emitOpened(db: Db, result: PersistAnomaliesResult, now: Date): Promise<void> {
  const rows = [...result.opened.map((row) => ({ row, reopened: false })), ...result.reopened.map((row) => ({ row, reopened: true }))];
  if (rows.length === 0) return;
  const customerIds = [...new Set(rows.map(({ row }) => row.customerId).filter((id): id is string => id !== null))];
  const externalIds = new Map<string, string>();
  for (let offset = 0; offset < customerIds.length; offset += 1000) {
    const chunk = customerIds.slice(offset, offset + 1000);
    const found = await db.select({ id: customers.id, externalId: customers.externalId }).from(customers).where(sql`${customers.id} = any(${`{${chunk.join(",")}}`}::uuid[])`);
    for (const each of found) externalIds.set(each.id, each.externalId);
  }
  await emitWebhookEvents(
    db,
    rows.map(({ row, reopened }) => ({
      type: "anomaly.opened" as const,
      customerId: row.customerId,
      data: { object: anomalyJson(row, row.customerId ? (externalIds.get(row.customerId) ?? null) : null), ...(reopened ? { previous_attributes: { status: "auto_resolved" } } : {}) },
      at: now,
    })),
  );
}

function identity(kind: string, customerId: string | null, subject: string): string {
  return `${kind}|${customerId ?? zeroUuid}|${subject}`;
}

function isActive(anomaly: Pick<Anomaly, "status">): boolean {
  return anomaly.status === "open" || anomaly.status === "acknowledged";
}

function overlaps(anomaly: Anomaly, candidate: AnomalyCandidate): boolean {
  return anomaly.windowEnd.getTime() + touchMs >= candidate.windowStart.getTime() && anomaly.windowStart.getTime() <= candidate.windowEnd.getTime() + touchMs;
}

/** One candidate per identity and window: a detector may see the same thing twice (two readers of one fact). */
function dedupeCandidates(candidates: readonly AnomalyCandidate[]): AnomalyCandidate[] {
  const seen = new Map<string, AnomalyCandidate>();
  for (const candidate of candidates) {
    const key = `${identity(candidate.kind, candidate.customerId, candidate.subject)}|${candidate.windowStart.getTime()}`;
    if (!seen.has(key)) seen.set(key, candidate);
  }
  return [...seen.values()];
}

function inScope(anomaly: Anomaly, scopes: readonly Scope[]): boolean {
  return scopes.some(
    (scope) =>
      scope.kind === anomaly.kind &&
      (scope.customerId === "*" || scope.customerId === anomaly.customerId) &&
      (scope.subject === "*" || scope.subject === anomaly.subject) &&
      (scope.since === null || anomaly.windowEnd.getTime() > scope.since.getTime()),
  );
}

/** Anomalies with a candidate's identity (any status), and every active anomaly of the scopes' kinds. */
async function loadExisting(db: Db, candidates: readonly AnomalyCandidate[], scopes: readonly Scope[]): Promise<Anomaly[]> {
  const kinds = [...new Set(scopes.map((scope) => scope.kind))];
  const byId = new Map<string, Anomaly>();
  if (kinds.length > 0) {
    const active = await db
      .select()
      .from(anomalies)
      .where(sql`${anomalies.status} in ('open', 'acknowledged') and ${anomalies.kind} = any(${`{${kinds.join(",")}}`}::text[])`)
      .limit(activeLoadMax);
    for (const anomaly of active) byId.set(anomaly.id, anomaly);
  }
  for (let offset = 0; offset < candidates.length; offset += 1000) {
    const chunk = candidates.slice(offset, offset + 1000);
    const rows = await db
      .select()
      .from(anomalies)
      .where(
        sql`(${anomalies.kind}, coalesce(${anomalies.customerId}, ${zeroUuid}::uuid), ${anomalies.subject}) in (
              select * from unnest(${arrayOf(chunk.map((each) => each.kind))}::text[], ${arrayOf(chunk.map((each) => each.customerId ?? zeroUuid))}::uuid[], ${arrayOf(chunk.map((each) => each.subject))}::text[]))`,
      )
      .limit(50_000);
    for (const anomaly of rows) byId.set(anomaly.id, anomaly);
  }
  return [...byId.values()];
}

function arrayOf(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}`;
}

async function open(db: Db, candidate: AnomalyCandidate, severity: Anomaly["severity"], now: Date): Promise<Anomaly | null> {
  const [row] = await db
    .insert(anomalies)
    .values({
      kind: candidate.kind,
      status: "open",
      severity,
      customerId: candidate.customerId,
      subject: candidate.subject,
      windowStart: candidate.windowStart,
      windowEnd: candidate.windowEnd,
      title: candidate.title.slice(0, 500),
      observed: candidate.observed,
      expected: candidate.expected,
      impactMicros: candidate.impactMicros,
      currency: candidate.currency,
      evidence: candidate.evidence,
      firstDetectedAt: now,
      lastDetectedAt: now,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) return null;
  await recordActivity(db, row.id, "opened", now, null, { severity, impactMicros: candidate.impactMicros?.toString() ?? null });
  await recordAudit(db, { actor, action: "anomaly.open", objectType: "anomaly", objectId: row.id, after: { kind: row.kind, customerId: row.customerId, subject: row.subject, title: row.title } });
  return row;
}

async function refresh(db: Db, anomaly: Anomaly, candidate: AnomalyCandidate, severity: Anomaly["severity"], now: Date): Promise<{ row: Anomaly; material: boolean }> {
  const reopening = anomaly.status === "auto_resolved";
  const extendedFromBefore = candidate.windowStart.getTime() > anomaly.windowStart.getTime();
  const windowEnd = new Date(Math.max(anomaly.windowEnd.getTime(), candidate.windowEnd.getTime()));
  const impact =
    extendedFromBefore && anomaly.impactMicros !== null && candidate.impactMicros !== null && abs(anomaly.impactMicros) > abs(candidate.impactMicros) ? anomaly.impactMicros : candidate.impactMicros;
  const nextSeverity = extendedFromBefore ? maxSeverity(anomaly.severity, severity) : severity;
  const material =
    reopening || windowEnd.getTime() !== anomaly.windowEnd.getTime() || impact !== anomaly.impactMicros || nextSeverity !== anomaly.severity || candidate.title.slice(0, 500) !== anomaly.title;
  const [row] = await db
    .update(anomalies)
    .set({
      windowEnd,
      title: candidate.title.slice(0, 500),
      observed: candidate.observed,
      expected: candidate.expected,
      impactMicros: impact,
      currency: candidate.currency,
      severity: nextSeverity,
      evidence: candidate.evidence,
      lastDetectedAt: now,
      ...(material ? { updatedAt: now } : {}),
      ...(reopening ? { status: "open" as const, closedAt: null, closedReason: null } : {}),
    })
    .where(sql`${anomalies.id} = ${anomaly.id}`)
    .returning();
  if (reopening) {
    await recordActivity(db, anomaly.id, "reopened", now, "The condition is back.", {});
    await recordAudit(db, { actor, action: "anomaly.reopen", objectType: "anomaly", objectId: anomaly.id, reason: "detected again after it had cleared" });
  }
  return { row: row ?? anomaly, material };
}

async function autoResolve(db: Db, anomaly: Anomaly, now: Date): Promise<Anomaly> {
  const reason = "The condition cleared: a later detection run no longer finds it.";
  const [row] = await db
    .update(anomalies)
    .set({ status: "auto_resolved", closedAt: now, closedReason: reason, updatedAt: now })
    .where(sql`${anomalies.id} = ${anomaly.id} and ${anomalies.status} in ('open', 'acknowledged')`)
    .returning();
  await recordActivity(db, anomaly.id, "auto_resolved", now, reason, {});
  await recordAudit(db, { actor, action: "anomaly.auto_resolve", objectType: "anomaly", objectId: anomaly.id, reason, before: { status: anomaly.status }, after: { status: "auto_resolved" } });
  return row ?? anomaly;
}

export async function recordActivity(db: Db, anomalyId: string, action: (typeof anomalyActivity.$inferInsert)["action"], now: Date, note: string | null, details: Record<string, unknown>, by = actor): Promise<void> {
  await db.insert(anomalyActivity).values({ anomalyId, action, actorType: by.type, actorId: by.id, actorLabel: by.label, note, details, occurredAt: now });
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}
