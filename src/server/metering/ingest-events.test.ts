import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { customers } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { attachUnknownEvents, listUnknownSubjects } from "./attach-unknown-events";
import { ensureUsageEventPartitions } from "./ensure-usage-event-partitions";
import { getIngestionStats } from "./get-ingestion-stats";
import { ingestEvents } from "./ingest-events";
import { rollUpAll } from "./roll-up-all";
import { cloudEvent } from "./test-events";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 8 });
  await database.db.insert(customers).values([
    { externalId: "cus_a", name: "A", email: "a@example.com", kind: "individual" },
    { externalId: "cus_b", name: "B", email: "b@example.com", kind: "team" },
  ]);
});
afterAll(async () => {
  await database.drop();
});

async function storedCount(source: string): Promise<number> {
  const rows = await executeRows<{ count: string }>(database.db, sql`select count(*) as count from usage_events where source = ${source}`);
  return Number(rows[0]?.count);
}

describe("ingestEvents", () => {
  it("counts a batch posted 5 times concurrently exactly once", async () => {
    const batch = Array.from({ length: 300 }, (_, index) => cloudEvent({ source: "exactly-once", id: `e${index}`, subject: "cus_a" }));
    const results = await Promise.all(Array.from({ length: 5 }, () => ingestEvents(database.db, batch)));
    expect(results.reduce((sum, result) => sum + result.accepted, 0)).toBe(300);
    expect(results.reduce((sum, result) => sum + result.duplicates, 0)).toBe(4 * 300);
    for (let index = 0; index < 300; index++) {
      expect(results.filter((result) => result.results[index]?.status === "accepted")).toHaveLength(1);
    }
    expect(await storedCount("exactly-once")).toBe(300);
    const again = await ingestEvents(database.db, batch);
    expect(again.accepted).toBe(0);
    expect(again.results.every((result) => result.status === "duplicate")).toBe(true);
  });

  it("accepts the valid events of a batch and rejects the others, in request order", async () => {
    const batch = [
      cloudEvent({ source: "partial", id: "ok-1" }),
      cloudEvent({ source: "partial", id: "bad", subject: undefined }),
      cloudEvent({ source: "partial", id: "ok-2" }),
      cloudEvent({ source: "partial", id: "ok-1" }),
    ];
    const result = await ingestEvents(database.db, batch);
    expect(result.results.map((each) => each.status)).toEqual(["accepted", "rejected", "accepted", "duplicate"]);
    expect(result).toMatchObject({ accepted: 2, duplicates: 1, rejected: 1 });
    expect(result.results[1]).toMatchObject({ id: "bad", source: "partial", code: "missing_subject" });
    expect(await storedCount("partial")).toBe(2);
  });

  it("rejects each kind of bad event with its code", async () => {
    const clock = fixedClock(new Date());
    const now = clock.now().getTime();
    const cases: [unknown, string][] = [
      ["not an object", "invalid_event"],
      [cloudEvent({ specversion: "0.3" }), "unsupported_specversion"],
      [cloudEvent({ id: undefined }), "invalid_event"],
      [cloudEvent({ id: "" }), "invalid_event"],
      [cloudEvent({ source: 42 }), "invalid_event"],
      [cloudEvent({ type: "x".repeat(300) }), "invalid_event"],
      [cloudEvent({ subject: undefined }), "missing_subject"],
      [cloudEvent({ subject: "" }), "missing_subject"],
      [cloudEvent({ time: "yesterday" }), "invalid_time"],
      [cloudEvent({ time: "2026-02-30T00:00:00Z" }), "invalid_time"],
      [cloudEvent({ time: 1700000000 }), "invalid_time"],
      [cloudEvent({ time: new Date(now + 6 * 60_000).toISOString() }), "in_future"],
      [cloudEvent({ time: new Date(now - 36 * 86_400_000).toISOString() }), "too_late"],
      [cloudEvent({ data: [1, 2] }), "invalid_data"],
      [cloudEvent({ data: "text" }), "invalid_data"],
      [cloudEvent({ data: undefined, data_base64: "aGk=" }), "invalid_data"],
      [cloudEvent({ data: { blob: "x".repeat(40_000) } }), "data_too_large"],
    ];
    const result = await ingestEvents(database.db, cases.map(([event]) => event), { clock });
    expect(result.results.map((each) => (each.status === "rejected" ? each.code : each.status))).toEqual(cases.map(([, code]) => code));
    expect(result.rejected).toBe(cases.length);
    const edges = await ingestEvents(
      database.db,
      [
        cloudEvent({ source: "edges", time: new Date(now + 4 * 60_000).toISOString() }),
        cloudEvent({ source: "edges", time: new Date(now - 34 * 86_400_000).toISOString() }),
        cloudEvent({ source: "edges", time: undefined }),
      ],
      { clock },
    );
    expect(edges.results.map((each) => each.status)).toEqual(["accepted", "accepted", "accepted"]);
    const offsetResult = await ingestEvents(
      database.db,
      [cloudEvent({ source: "edges", time: "2026-01-02T03:04:05.123456+02:00", id: "offset" })],
      { clock: fixedClock("2026-01-03T00:00:00Z") },
    );
    expect(offsetResult.accepted).toBe(1);
    const [offset] = await executeRows<{ occurred_at: Date | string }>(
      database.db,
      sql`select occurred_at from usage_events where source = 'edges' and event_id = 'offset'`,
    );
    expect(new Date(offset!.occurred_at).toISOString()).toBe("2026-01-02T01:04:05.123Z");
  });

  it("keeps events of unknown customers, flagged, until support attaches them", async () => {
    const result = await ingestEvents(database.db, [
      cloudEvent({ source: "unknown", subject: "cus_new" }),
      cloudEvent({ source: "unknown", subject: "cus_new" }),
      cloudEvent({ source: "unknown", subject: "cus_b" }),
    ]);
    expect(result.accepted).toBe(3);
    await rollUpAll(database.db);
    const unknown = await listUnknownSubjects(database.db);
    expect(unknown.find((each) => each.subject === "cus_new")?.events).toBe(2);
    await expect(attachUnknownEvents(database.db, { actor: systemActor("test"), externalId: "cus_new" })).rejects.toMatchObject({
      code: "customer_not_found",
    });
    await database.db.insert(customers).values({ externalId: "cus_new", name: "New", email: "n@example.com", kind: "individual" });
    expect(await attachUnknownEvents(database.db, { actor: systemActor("test"), externalId: "cus_new" })).toEqual({ attached: 2 });
    expect((await listUnknownSubjects(database.db)).find((each) => each.subject === "cus_new")).toBeUndefined();
  });

  it("keeps dedup across monthly partitions and moves rows out of the default partition", async () => {
    const clock = fixedClock("2031-03-01T00:02:00Z");
    const first = await ingestEvents(database.db, [cloudEvent({ source: "months", id: "x", time: "2031-02-28T23:59:00Z" })], { clock });
    const retried = await ingestEvents(database.db, [cloudEvent({ source: "months", id: "x", time: "2031-03-01T00:01:00Z" })], { clock });
    expect(first.accepted).toBe(1);
    expect(retried.duplicates).toBe(1);
    const before = await executeRows<{ partition: string }>(database.db, sql`select tableoid::regclass::text as partition from usage_events where source = 'months'`);
    expect(before.map((row) => row.partition)).toEqual(["usage_events_default"]);
    expect((await ensureUsageEventPartitions(database.db, { clock, monthsAhead: 1 })).created).toBeGreaterThan(0);
    const after = await executeRows<{ partition: string }>(database.db, sql`select tableoid::regclass::text as partition from usage_events where source = 'months'`);
    expect(after.map((row) => row.partition)).toEqual(["usage_events_y2031m02"]);
    expect((await ensureUsageEventPartitions(database.db, { clock, monthsAhead: 1 })).created).toBe(0);
  });

  it("counts accepted, duplicate, rejected and unknown-customer events per minute", async () => {
    const rows = await executeRows<{ accepted: string; duplicates: string; unknown_customer: string; rejected: Record<string, number> }>(
      database.db,
      sql`select accepted, duplicates, unknown_customer, rejected from metering_ingest_counters`,
    );
    const total = (pick: (row: (typeof rows)[number]) => number) => rows.reduce((sum, row) => sum + pick(row), 0);
    expect(total((row) => Number(row.accepted))).toBe(300 + 2 + 4 + 3 + 1);
    expect(total((row) => Number(row.duplicates))).toBe(4 * 300 + 300 + 1 + 1);
    expect(total((row) => Number(row.unknown_customer))).toBe(2 + 4 + 2 + 1);
    expect(total((row) => row.rejected.missing_subject ?? 0)).toBe(1 + 2);
    expect(total((row) => row.rejected.invalid_time ?? 0)).toBe(3);
    expect(total((row) => row.rejected.in_future ?? 0)).toBe(1);
  });

  // Runs after the counters test, whose totals it would change.
  it("stores each event once whichever statement a batch takes: plain insert while batches are new, skipping after duplicates", async () => {
    const events = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, offset) => cloudEvent({ source: "paths", id: `p${from + offset}`, subject: "cus_b" }));
    const statuses = async (batch: unknown[]) => (await ingestEvents(database.db, batch)).results.map((result) => result.status);
    expect(await statuses(events(0, 50))).toEqual(Array(50).fill("accepted"));
    // Half repeats: the plain insert fails on the first stored key and the batch is stored by the skipping statement.
    expect(await statuses(events(25, 75))).toEqual([...Array(25).fill("duplicate"), ...Array(25).fill("accepted")]);
    expect(await statuses(events(75, 100))).toEqual(Array(25).fill("accepted"));
    expect(await statuses(events(100, 120))).toEqual(Array(20).fill("accepted"));
    expect(await statuses(events(0, 120))).toEqual(Array(120).fill("duplicate"));
    // Inside a caller's transaction, a repeat must not abort it.
    await database.db.transaction(async (tx) => {
      const result = await ingestEvents(tx as unknown as typeof database.db, [...events(110, 130)]);
      expect(result).toMatchObject({ accepted: 10, duplicates: 10 });
    });
    expect(await storedCount("paths")).toBe(130);
    const keys = await executeRows<{ count: string }>(database.db, sql`select count(*) as count from usage_event_keys where source = 'paths'`);
    expect(Number(keys[0]?.count)).toBe(130);
  });

  it("marks events for time the customer was already invoiced for late, and counts them", async () => {
    const lateBefore = (await getIngestionStats(database.db, { since: new Date(Date.now() - 3_600_000) })).late;
    await executeRows(database.db, sql`update customers set usage_invoiced_through = now() - interval '1 day' where external_id = 'cus_a'`);
    const at = (hoursAgo: number) => new Date(Date.now() - hoursAgo * 3_600_000).toISOString();
    const result = await ingestEvents(database.db, [
      cloudEvent({ source: "late", id: "before", subject: "cus_a", time: at(48) }),
      cloudEvent({ source: "late", id: "after", subject: "cus_a", time: at(1) }),
      cloudEvent({ source: "late", id: "other", subject: "cus_b", time: at(48) }),
    ]);
    expect(result.accepted).toBe(3);
    const rows = await executeRows<{ event_id: string; late: boolean }>(database.db, sql`select event_id, late from usage_events where source = 'late' order by event_id`);
    expect(rows).toEqual([
      { event_id: "after", late: false },
      { event_id: "before", late: true },
      { event_id: "other", late: false },
    ]);
    expect((await getIngestionStats(database.db, { since: new Date(Date.now() - 3_600_000) })).late).toBe(lateBefore + 1);
  });
});
