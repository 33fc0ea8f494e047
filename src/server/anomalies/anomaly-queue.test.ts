import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { anomalies, anomalyActivity, auditLog, webhookEvents } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { systemActor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { upsertCustomer } from "@/server/customers/upsert-customer";
import { seedUsers } from "@/server/users/seed-users";
import { getUserByEmail } from "@/server/users/get-user";
import { createWebhookEndpoint } from "@/server/webhooks/manage-webhook-endpoints";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { actOnAnomaly } from "./act-on-anomaly";
import type { AnomalyCandidate } from "./candidate";
import { getAnomaly } from "./get-anomaly";
import { listAnomalies } from "./list-anomalies";
import { persistAnomalies } from "./persist-anomalies";
import { defaultAnomalySettings, listAnomalySettings, readAnomalySettings, updateAnomalySetting } from "./settings";

const clock = fixedClock("2026-06-17T12:00:00Z");
let database: TestDatabase;
let support: Actor;
let supportUserId: string;
let productUserId: string;
const customerIds: string[] = [];

function candidate(index: number, overrides: Partial<AnomalyCandidate> = {}): AnomalyCandidate {
  return {
    kind: index % 2 === 0 ? "usage_spike" : "usage_drop",
    customerId: customerIds[index % customerIds.length]!,
    subject: `meter:m${index}`,
    windowStart: new Date(Date.UTC(2026, 5, 1 + (index % 10))),
    windowEnd: new Date(Date.UTC(2026, 5, 2 + (index % 10))),
    title: `planted ${index}`,
    observed: "10",
    expected: "1",
    // Some without an estimate (they sort last), some tied (the id breaks ties).
    impactMicros: index % 7 === 0 ? null : BigInt((index % 5) * 1_000_000),
    currency: "usd",
    evidence: { index },
    ...overrides,
  };
}

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  await seedUsers(database.db);
  const supportUser = (await getUserByEmail(database.db, "support@tally.test"))!;
  supportUserId = supportUser.id;
  productUserId = (await getUserByEmail(database.db, "product@tally.test"))!.id;
  support = { type: "user", id: supportUser.id, label: supportUser.email };
  for (const name of ["acme", "globex", "initech"]) {
    const created = await upsertCustomer(database.db, systemActor("test"), clock, { externalId: `cus_${name}`, email: `${name}@example.dev` });
    customerIds.push(created.customer.id);
  }
  await createWebhookEndpoint(database.db, systemActor("test"), clock, { url: "https://hooks.example.dev/anomalies", description: "alerts", eventTypes: ["anomaly.opened"], reason: "alerting" });
}, 60_000);
afterAll(async () => {
  await database?.drop();
});

describe("the anomaly queue", () => {
  it("opens anomalies with an anomaly.opened webhook in the same transaction, once", async () => {
    const candidates = Array.from({ length: 30 }, (_, index) => candidate(index));
    const first = await persistAnomalies(database.db, { candidates, scopes: [], now: clock.now(), settings: defaultAnomalySettings() });
    expect(first.opened).toHaveLength(30);
    const again = await persistAnomalies(database.db, { candidates, scopes: [], now: clock.now(), settings: defaultAnomalySettings() });
    expect(again.opened).toHaveLength(0);
    const events = await database.db.select().from(webhookEvents).where(eq(webhookEvents.type, "anomaly.opened"));
    expect(events).toHaveLength(30);
    const body = JSON.parse(events.find((event) => event.body.includes('"planted 1"'))!.body) as { data: { object: Record<string, unknown> } };
    expect(body.data.object).toMatchObject({ object: "anomaly", kind: "usage_drop", status: "open", customer_external_id: "cus_globex", impact_micros: "1000000", title: "planted 1" });
    const [deliveries] = await executeRows<{ count: number }>(database.db, sql`select count(*)::int as count from webhook_deliveries`);
    expect(deliveries!.count).toBe(30);
  });

  it("pages the whole queue by impact, most money first and unestimated last, each anomaly exactly once", async () => {
    const seen: { id: string; impact: bigint | null }[] = [];
    let after: string | undefined;
    for (let page = 0; page < 20; page++) {
      const result = await listAnomalies(database.db, { limit: 7, after });
      seen.push(...result.items.map((item) => ({ id: item.id, impact: item.impactMicros })));
      if (!result.nextAfter) break;
      after = result.nextAfter;
    }
    expect(seen).toHaveLength(30);
    expect(new Set(seen.map((item) => item.id)).size).toBe(30);
    const impacts = seen.map((item) => item.impact);
    const firstNull = impacts.indexOf(null);
    expect(impacts.slice(firstNull).every((impact) => impact === null)).toBe(true);
    const known = impacts.slice(0, firstNull) as bigint[];
    expect(known.every((impact, index) => index === 0 || known[index - 1]! >= impact)).toBe(true);
    expect(known[0]).toBe(4_000_000n);
  });

  it("pages by detection time and filters by kind, customer, severity and assignee", async () => {
    const detected = await listAnomalies(database.db, { sort: "detected", limit: 100 });
    expect(detected.items).toHaveLength(30);
    const drops = await listAnomalies(database.db, { kind: "usage_drop", customerId: customerIds[1], limit: 100 });
    expect(drops.items.length).toBeGreaterThan(0);
    expect(drops.items.every((item) => item.kind === "usage_drop" && item.customer?.externalId === "cus_globex")).toBe(true);
    expect((await listAnomalies(database.db, { severity: "critical" })).items).toHaveLength(0);
    expect((await listAnomalies(database.db, { assigneeId: "none", limit: 100 })).items).toHaveLength(30);
    await expect(listAnomalies(database.db, { after: "00000000-0000-4000-8000-000000000000" })).rejects.toMatchObject({ code: "invalid_cursor" });
  });

  it("takes a person's actions through acknowledge, assign, note, resolve and reopen, each in the activity and the audit log", async () => {
    const [target] = (await listAnomalies(database.db, { limit: 1 })).items;
    const id = target!.id;
    await actOnAnomaly(database.db, support, clock, { anomalyId: id, action: "acknowledge" });
    await expect(actOnAnomaly(database.db, support, clock, { anomalyId: id, action: "acknowledge" })).rejects.toMatchObject({ code: "anomaly_state_conflict" });
    await expect(actOnAnomaly(database.db, support, clock, { anomalyId: id, action: "assign", assigneeId: productUserId })).rejects.toMatchObject({ code: "assignee_invalid" });
    await actOnAnomaly(database.db, support, clock, { anomalyId: id, action: "assign", assigneeId: supportUserId });
    expect((await listAnomalies(database.db, { assigneeId: supportUserId })).items.map((item) => item.id)).toEqual([id]);
    await actOnAnomaly(database.db, support, clock, { anomalyId: id, action: "note", note: "Customer confirms a batch job ran twice." });
    await expect(actOnAnomaly(database.db, support, clock, { anomalyId: id, action: "resolve", reason: " " })).rejects.toMatchObject({ code: "invalid_reason" });
    const resolved = await actOnAnomaly(database.db, support, clock, { anomalyId: id, action: "resolve", reason: "Credited the duplicate batch." });
    expect(resolved).toMatchObject({ status: "resolved", closedReason: "Credited the duplicate batch." });
    await expect(actOnAnomaly(database.db, support, clock, { anomalyId: id, action: "dismiss", reason: "too late" })).rejects.toMatchObject({ code: "anomaly_state_conflict" });
    const detail = await getAnomaly(database.db, id);
    expect(detail.activity.map((entry) => entry.action)).toEqual(["opened", "acknowledged", "assigned", "noted", "resolved"]);
    expect(detail.activity.find((entry) => entry.action === "noted")).toMatchObject({ actorLabel: "support@tally.test", note: "Customer confirms a batch job ran twice." });
    expect(detail.assignee?.email).toBe("support@tally.test");
    const audited = await database.db.select({ action: auditLog.action, reason: auditLog.reason }).from(auditLog).where(eq(auditLog.objectId, id));
    expect(audited.map((entry) => entry.action).sort()).toEqual(["anomaly.acknowledge", "anomaly.assign", "anomaly.note", "anomaly.open", "anomaly.resolve"]);
    expect(audited.find((entry) => entry.action === "anomaly.resolve")?.reason).toBe("Credited the duplicate batch.");

    // Detection leaves a person's resolution alone; a person may reopen it.
    const again = await persistAnomalies(database.db, { candidates: [candidate(Number((target!.evidence as { index: number }).index))], scopes: [], now: clock.now(), settings: defaultAnomalySettings() });
    expect(again.respected).toBe(1);
    const reopened = await actOnAnomaly(database.db, support, clock, { anomalyId: id, action: "reopen", reason: "The customer wrote again." });
    expect(reopened).toMatchObject({ status: "open", closedAt: null });
    await actOnAnomaly(database.db, support, clock, { anomalyId: id, action: "unassign" });
    await expect(actOnAnomaly(database.db, support, clock, { anomalyId: id, action: "unassign" })).rejects.toMatchObject({ code: "anomaly_not_assigned" });
    const dismissed = await actOnAnomaly(database.db, support, clock, { anomalyId: id, action: "dismiss", reason: "Expected: a load test." });
    expect(dismissed.status).toBe("dismissed");
    const [activityCount] = await database.db.select({ count: sql<number>`count(*)::int` }).from(anomalyActivity).where(eq(anomalyActivity.anomalyId, id));
    expect(activityCount!.count).toBe(8);
    await expect(getAnomaly(database.db, "00000000-0000-4000-8000-000000000000")).rejects.toMatchObject({ code: "anomaly_not_found" });
    expect((await database.db.select().from(anomalies).where(eq(anomalies.status, "dismissed"))).map((row) => row.id)).toEqual([id]);
  });

  it("lets an admin change a detection threshold within its bounds, audited, and detection reads it", async () => {
    const admin: Actor = { type: "user", id: "admin", label: "admin@tally.test" };
    await expect(updateAnomalySetting(database.db, admin, clock, { key: "usage.spike_ratio", value: "500", reason: "too many alerts" })).rejects.toMatchObject({ code: "anomaly_setting_out_of_range" });
    await updateAnomalySetting(database.db, admin, clock, { key: "usage.spike_ratio", value: "4", reason: "too many alerts on bursty teams" });
    expect((await listAnomalySettings(database.db)).find((setting) => setting.key === "usage.spike_ratio")).toMatchObject({ value: "4", changedBy: "admin@tally.test" });
    expect((await readAnomalySettings(database.db))["usage.spike_ratio"]).toBe(4);
    const [audited] = await database.db.select({ reason: auditLog.reason, after: auditLog.after }).from(auditLog).where(eq(auditLog.action, "anomaly_setting.update"));
    expect(audited).toMatchObject({ reason: "too many alerts on bursty teams", after: { value: "4" } });
  });
});
