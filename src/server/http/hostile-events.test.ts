import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/events/route";
import { executeRows } from "@/db/execute";
import { meters } from "@/db/schema";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { systemActor } from "@/server/audit/actor";
import { cloudEvent } from "@/server/metering/test-events";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { startHotRouteServer, type HotRouteServer } from "./test-hot-route-server";
import { useRouteDatabase } from "./use-route-database";

/*
 * Regression tests for issue 16, defects 1 and 3: one hostile or poisonous event in a batch is
 * rejected alone, with a code, and its neighbours are stored; nothing answers 500.
 */

let database: TestDatabase;
let ingestKey: string;
let hot: HotRouteServer;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  hot = await startHotRouteServer();
  useRouteDatabase(database);
  ingestKey = (await createApiKey(database.db, { actor: systemActor("test"), name: "ingest", scopes: ["ingest"] })).key;
  await database.db.insert(meters).values([
    { key: "hostile_tokens", name: "Tokens", eventType: "hostile.llm", aggregation: "sum", valuePath: "usage.tokens" },
    { key: "hostile_peak", name: "Peak", eventType: "hostile.llm", aggregation: "max", valuePath: "peak" },
    { key: "hostile_requests", name: "Requests", eventType: "hostile.llm", aggregation: "count" },
  ]);
});
afterAll(async () => {
  await hot?.close();
  await database.drop();
});

const transports = [
  { name: "route handler", send: (request: Request) => POST(request) },
  { name: "hot route", send: (request: Request) => hot.send(request) },
];

type Result = { index: number; status: string; code?: string; message?: string; id: string | null };

/** An event as JSON text, with `dataText` spliced in raw (numbers JSON.stringify cannot write). */
function eventText(source: string, id: string, dataText: string, overrides: Record<string, unknown> = {}): string {
  const head = JSON.stringify(cloudEvent({ source, id, type: "hostile.llm", subject: "cus_hostile", data: undefined, ...overrides }));
  return `${head.slice(0, -1)},"data":${dataText}}`;
}

describe.each(transports)("POST /api/v1/events via the $name", ({ name, send }) => {
  const post = async (body: string, contentType = "application/cloudevents-batch+json") => {
    const response = await send(
      new Request("http://tally.test/api/v1/events", { method: "POST", body, headers: { "content-type": contentType, authorization: `Bearer ${ingestKey}` } }),
    );
    return { status: response.status, body: (await response.json()) as { accepted: number; rejected: number; results: Result[] } };
  };
  const storedIds = async (source: string) =>
    (await executeRows<{ event_id: string }>(database.db, sql`select event_id from usage_events where source = ${source} order by event_id`)).map((row) => row.event_id);

  it("rejects NUL, lone surrogates and deep nesting event by event, storing the rest", async () => {
    const source = `hostile-text-${name}`;
    const deep = `${"[".repeat(4_500)}1${"]".repeat(4_500)}`;
    const events = [
      eventText(source, "ok-1", `{"usage":{"tokens":5}}`),
      eventText(source, "nul-id\u0000", `{}`),
      eventText(source, "nul-subject", `{}`, { subject: "cus\u0000x" }),
      eventText(source, "nul-value", `{"model":"a\\u0000b"}`),
      eventText(source, "nul-key", `{"a\\u0000":1}`),
      eventText(source, "surrogate-value", `{"model":"\\ud800"}`),
      eventText(source, "surrogate-subject", `{}`, { subject: "cus\ud800" }),
      eventText(source, "surrogate-key", `{"\\udfff":1}`),
      eventText(source, "deep", `{"nested":${deep}}`),
      eventText(source, "deep-object", `${'{"a":'.repeat(40)}1${"}".repeat(40)}`),
      eventText(source, "ok-2", `{"usage":{"tokens":7},"nested":{"a":{"b":[1,2,{"c":"d"}]}}}`),
    ];
    const { status, body } = await post(`[${events.join(",")}]`);
    expect(status).toBe(200);
    expect(body.results.map((result) => [result.status, result.code ?? null])).toEqual([
      ["accepted", null],
      ...Array.from({ length: 9 }, () => ["rejected", "invalid_event"]),
      ["accepted", null],
    ]);
    expect(body.results[3]?.message).toContain("data.model");
    expect(body.results[4]?.message).toContain("NUL");
    expect(body.results[5]?.message).toContain("surrogate");
    expect(await storedIds(source)).toEqual(["ok-1", "ok-2"]);

    // Binary mode: the body is the data.
    const binary = await send(
      new Request("http://tally.test/api/v1/events", {
        method: "POST",
        body: `{"nested":${deep}}`,
        headers: { "content-type": "application/json", authorization: `Bearer ${ingestKey}`, "ce-specversion": "1.0", "ce-id": "binary-deep", "ce-source": source, "ce-type": "hostile.llm", "ce-subject": "cus_hostile" },
      }),
    );
    expect(binary.status).toBe(200);
    expect(await binary.json()).toMatchObject({ rejected: 1, results: [{ status: "rejected", code: "invalid_event" }] });
  });

  it("reads a repeated key like JSON.parse (the last value wins) in an event with an inexact number, instead of a 500 (found by fuzzing)", async () => {
    const source = `hostile-duplicate-${name}`;
    const events = [
      eventText(source, "dup-exact", `{"usage":{"tokens":5},"model":"a","model":"b","ratio":1e-30}`),
      eventText(source, "dup-plain", `{"usage":{"tokens":5},"model":"a","model":"b"}`),
      eventText(source, "dup-nested", `{"usage":{"tokens":1,"tokens":7},"big":123456789012345678901234567890}`),
    ];
    const { status, body } = await post(`[${events.join(",")}]`);
    expect(status).toBe(200);
    expect(body.results.map((result) => result.status)).toEqual(["accepted", "accepted", "accepted"]);
    const rows = await executeRows<{ event_id: string; model: string | null; tokens: string }>(
      database.db,
      sql`select event_id, data->>'model' as model, data->'usage'->>'tokens' as tokens from usage_events where source = ${source} order by event_id`,
    );
    expect(rows).toEqual([
      { event_id: "dup-exact", model: "b", tokens: "5" },
      { event_id: "dup-nested", model: null, tokens: "7" },
      { event_id: "dup-plain", model: "b", tokens: "5" },
    ]);
  });

  it("rejects values a meter cannot aggregate, and keeps other numbers exactly as sent", async () => {
    const source = `hostile-values-${name}`;
    const cases: [id: string, data: string, code: string | null][] = [
      ["ok-int", `{"usage":{"tokens":123456789012345}}`, null],
      ["ok-decimal", `{"usage":{"tokens":"0.000000000001"},"peak":999999999999999.999999999999}`, null],
      ["ok-big-id", `{"usage":{"tokens":1},"request_number":123456789012345678901234567890,"ratio":1e-30}`, null],
      ["ok-missing", `{"model":"x"}`, null],
      ["e50", `{"usage":{"tokens":1e50}}`, "invalid_value"],
      ["e308", `{"usage":{"tokens":1e308}}`, "invalid_value"],
      ["e309", `{"usage":{"tokens":1e309}}`, "invalid_value"],
      ["negative", `{"usage":{"tokens":-5}}`, "invalid_value"],
      ["negative-string", `{"usage":{"tokens":"-0.5"}}`, "invalid_value"],
      ["too-big", `{"usage":{"tokens":1000000000000000}}`, "invalid_value"],
      ["past-2-53", `{"usage":{"tokens":9007199254740993}}`, "invalid_value"],
      ["thirteen-places", `{"usage":{"tokens":0.1234567890123}}`, "invalid_value"],
      ["trailing-zeros", `{"usage":{"tokens":"1.0000000000000"}}`, "invalid_value"],
      ["not-a-number", `{"usage":{"tokens":"lots"}}`, "invalid_value"],
      ["boolean", `{"usage":{"tokens":true}}`, "invalid_value"],
      ["object", `{"usage":{"tokens":{"n":1}}}`, "invalid_value"],
      ["peak-negative", `{"peak":-1e-3}`, "invalid_value"],
      ["huge-exponent", `{"other":1e999999}`, "invalid_event"],
    ];
    const { status, body } = await post(`[${cases.map(([id, data]) => eventText(source, id, data)).join(",")}]`);
    expect(status).toBe(200);
    expect(body.results.map((result) => [result.id, result.code ?? null])).toEqual(cases.map(([id, , code]) => [id, code]));
    expect(body.results[4]?.message).toContain("data.usage.tokens");
    expect(await storedIds(source)).toEqual(["ok-big-id", "ok-decimal", "ok-int", "ok-missing"]);
    const [row] = await executeRows<{ request_number: string; ratio: string; peak: string }>(
      database.db,
      sql`select e.data->>'request_number' as request_number, (e.data->>'ratio')::numeric::text as ratio, p.data->>'peak' as peak
          from usage_events e cross join lateral (select data from usage_events where source = ${source} and event_id = 'ok-decimal') p
          where e.source = ${source} and e.event_id = 'ok-big-id'`,
    );
    expect(row).toEqual({ request_number: "123456789012345678901234567890", ratio: "0.000000000000000000000000000001", peak: "999999999999999.999999999999" });
  });
});
