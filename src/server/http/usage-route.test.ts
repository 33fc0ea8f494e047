import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/v1/[...path]/route";
import { meters } from "@/db/schema";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { getIngestionStats } from "@/server/metering/get-ingestion-stats";
import { ingestEvents } from "@/server/metering/ingest-events";
import { cloudEvent, rollUpEverything } from "@/server/metering/test-events";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { useRouteDatabase } from "./use-route-database";

let database: TestDatabase;
let readKey: string;
let ingestKey: string;
const clock = fixedClock("2026-04-02T12:00:00Z");

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  useRouteDatabase(database);
  readKey = (await createApiKey(database.db, { actor: systemActor("test"), name: "read", scopes: ["read"] })).key;
  ingestKey = (await createApiKey(database.db, { actor: systemActor("test"), name: "ingest", scopes: ["ingest"] })).key;
  await database.db.insert(meters).values({ key: "tokens", name: "Tokens", eventType: "llm", aggregation: "sum", valuePath: "tokens", groupBy: ["model"] });
  await ingestEvents(
    database.db,
    [
      cloudEvent({ type: "llm", subject: "cus/1", time: "2026-04-01T10:00:00Z", data: { tokens: 5, model: "s" } }),
      cloudEvent({ type: "llm", subject: "cus/1", time: "2026-04-02T11:00:00Z", data: { tokens: "0.000002", model: "l" } }),
      cloudEvent({ type: "llm", subject: "cus/1", time: "2026-04-02T11:30:00Z", data: { tokens: "x" } }),
      cloudEvent({ type: "llm", subject: "cus/1", time: "2026-04-09T00:00:00Z" }),
    ],
    // Stored unchecked (as before ingestion refused "x"): the rollups ignore a value they cannot aggregate.
    { clock, meterValueRules: new Map() },
  );
  await rollUpEverything(database.db);
});
afterAll(async () => {
  await database.drop();
});

function get(query: string, key = readKey): Promise<Response> {
  return GET(new Request(`http://tally.test/api/v1/customers/cus%2F1/usage?${query}`, { headers: { authorization: `Bearer ${key}` } }));
}

describe("GET /api/v1/customers/{externalId}/usage", () => {
  it("returns windows and totals from the rollups, exactly", async () => {
    const response = await get("meter=tokens&from=2026-04-01T00:00:00Z&to=2026-04-03T00:00:00Z&window=day");
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { windowStart: string; value: string }[]; totals: { value: string }[] };
    expect(body.data.map((point) => [point.windowStart, point.value])).toEqual([
      ["2026-04-01T00:00:00.000Z", "5"],
      ["2026-04-02T00:00:00.000Z", "0.000002"],
    ]);
    expect(body.totals).toEqual([{ dimensions: {}, value: "5.000002" }]);
    const grouped = (await (await get("meter=tokens&from=2026-04-01T00:00:00Z&to=2026-04-03T00:00:00Z&window=hour&groupBy=model")).json()) as {
      totals: { dimensions: Record<string, string | null>; value: string | null }[];
    };
    expect(grouped.totals).toEqual([
      { dimensions: { model: null }, value: null },
      { dimensions: { model: "l" }, value: "0.000002" },
      { dimensions: { model: "s" }, value: "5" },
    ]);
  });

  it("refuses bad queries, unknown meters and keys without the read scope", async () => {
    expect(await (await get("meter=tokens&from=2026-04-01T00:30:00Z&to=2026-04-03T00:00:00Z")).json()).toMatchObject({ error: { code: "invalid_usage_query" } });
    expect((await get("meter=tokens&from=2026-01-01T00:00:00Z&to=2026-04-01T00:00:00Z&window=hour")).status).toBe(400);
    expect((await get("meter=nope&from=2026-04-01T00:00:00Z&to=2026-04-03T00:00:00Z")).status).toBe(404);
    expect((await get("meter=tokens&from=2026-04-01T00:00:00Z&to=2026-04-03T00:00:00Z", ingestKey)).status).toBe(403);
  });

  it("reports ingestion stats and metering lag", async () => {
    await ingestEvents(database.db, [cloudEvent({ subject: undefined }), cloudEvent({ time: "bad" }), cloudEvent({ time: "bad" })], { clock });
    const stats = await getIngestionStats(database.db, { since: new Date(Date.now() - 3_600_000) });
    expect(stats).toMatchObject({ accepted: 3, duplicates: 0, rejected: 4, rejectedByCode: { in_future: 1, missing_subject: 1, invalid_time: 2 }, unknownCustomer: 3 });
    expect(stats.lag.samples).toBe(3);
    expect(stats.lag.p99Ms).toBeGreaterThanOrEqual(stats.lag.p50Ms ?? 0);
  });
});
