import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/events/route";
import { executeRows } from "@/db/execute";
import { createApiKey } from "@/server/api-keys/create-api-key";
import { revokeApiKey } from "@/server/api-keys/revoke-api-key";
import { systemActor } from "@/server/audit/actor";
import { cloudEvent } from "@/server/metering/test-events";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { startHotRouteServer, type HotRouteServer } from "./test-hot-route-server";
import { useRouteDatabase } from "./use-route-database";

let database: TestDatabase;
let ingestKey: string;
let readKey: string;
let hot: HotRouteServer;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  hot = await startHotRouteServer();
  useRouteDatabase(database);
  ingestKey = (await createApiKey(database.db, { actor: systemActor("test"), name: "ingest", scopes: ["ingest"] })).key;
  readKey = (await createApiKey(database.db, { actor: systemActor("test"), name: "read", scopes: ["read"] })).key;
});
afterAll(async () => {
  await hot?.close();
  await database.drop();
});

async function stored(source: string): Promise<number> {
  const rows = await executeRows<{ count: string }>(database.db, sql`select count(*) as count from usage_events where source = ${source}`);
  return Number(rows[0]?.count);
}

/* The same endpoint on both of its paths: the App Router route handler, and the hot route under a real Node server (as `next start` serves it). */
const transports = [
  { name: "route handler", send: (request: Request) => POST(request) },
  { name: "hot route", send: (request: Request) => hot.send(request) },
];

describe.each(transports)("POST /api/v1/events via the $name", ({ name, send }) => {
  const modes = `modes-${name}`;
  const limits = `limits-${name}`;
  const auth = `auth-${name}`;
  const post = (body: string, headers: Record<string, string> = {}, key: string | null = ingestKey): Promise<Response> =>
    send(
      new Request("http://tally.test/api/v1/events", {
        method: "POST",
        body,
        headers: { "content-type": "application/cloudevents-batch+json", ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
      }),
    );

  it("takes batch, structured, plain JSON and binary modes", async () => {
    const batch = await post(JSON.stringify([cloudEvent({ source: modes }), cloudEvent({ source: modes })]));
    expect(batch.status).toBe(200);
    expect(await batch.json()).toMatchObject({ accepted: 2, results: [{ status: "accepted" }, { status: "accepted" }] });

    const structured = await post(JSON.stringify(cloudEvent({ source: modes, id: "structured" })), {
      "content-type": "application/cloudevents+json; charset=utf-8",
    });
    expect(await structured.json()).toMatchObject({ accepted: 1, results: [{ id: "structured", status: "accepted" }] });

    const plainArray = await post(JSON.stringify([cloudEvent({ source: modes })]), { "content-type": "application/json" });
    expect(await plainArray.json()).toMatchObject({ accepted: 1 });
    const plainObject = await post(JSON.stringify(cloudEvent({ source: modes })), { "content-type": "application/json" });
    expect(await plainObject.json()).toMatchObject({ accepted: 1 });

    const binary = await post(JSON.stringify({ tokens: 5 }), {
      "content-type": "application/json",
      "ce-specversion": "1.0",
      "ce-id": "binary-1",
      "ce-source": modes,
      "ce-type": "api.request",
      "ce-subject": "cus_x",
      "ce-time": new Date().toISOString(),
    });
    expect(await binary.json()).toMatchObject({ accepted: 1, results: [{ id: "binary-1", status: "accepted" }] });
    const [row] = await executeRows<{ data: unknown }>(database.db, sql`select data from usage_events where event_id = 'binary-1' and source = ${modes}`);
    expect(row?.data).toEqual({ tokens: 5 });
    const binaryRetry = await post(JSON.stringify({ tokens: 5 }), {
      "content-type": "application/json",
      "ce-specversion": "1.0",
      "ce-id": "binary-1",
      "ce-source": modes,
      "ce-type": "api.request",
      "ce-subject": "cus_x",
    });
    expect(await binaryRetry.json()).toMatchObject({ duplicates: 1 });
    expect(await stored(modes)).toBe(6);
  });

  it("refuses bodies it cannot take whole, storing nothing", async () => {
    const notJson = await post("[{", {});
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: "invalid_json" } });

    const tooMany = await post(JSON.stringify(Array.from({ length: 1_001 }, () => cloudEvent({ source: limits, data: {} }))));
    expect(tooMany.status).toBe(413);
    expect(await tooMany.json()).toMatchObject({ error: { code: "too_many_events" } });

    const big = JSON.stringify(Array.from({ length: 40 }, () => cloudEvent({ source: limits, data: { blob: "x".repeat(30_000) } })));
    const tooBig = await post(big);
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toMatchObject({ error: { code: "body_too_large" } });

    // No Content-Length to trust: the limit holds while streaming.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let index = 0; index < 20; index++) controller.enqueue(new TextEncoder().encode(" ".repeat(100_000)));
        controller.close();
      },
    });
    const streamed = await send(
      new Request("http://tally.test/api/v1/events", {
        method: "POST",
        body: stream,
        headers: { "content-type": "application/json", authorization: `Bearer ${ingestKey}` },
        duplex: "half",
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);

    const notBatch = await post(JSON.stringify(cloudEvent({ source: limits })));
    expect(notBatch.status).toBe(400);
    const wrongType = await post("a=b", { "content-type": "application/x-www-form-urlencoded" });
    expect(await wrongType.json()).toMatchObject({ error: { code: "unsupported_content_type" } });
    expect(await stored(limits)).toBe(0);
  });

  it("requires an API key with the ingest scope", async () => {
    const body = JSON.stringify([cloudEvent({ source: auth })]);
    const missing = await post(body, {}, null);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: "missing_api_key" } });
    const wrong = await post(body, {}, "tly_live_not_a_key");
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: "invalid_api_key" } });
    const reader = await post(body, {}, readKey);
    expect(reader.status).toBe(403);
    expect(await reader.json()).toMatchObject({ error: { code: "insufficient_scope" } });

    const { apiKey, key } = await createApiKey(database.db, { actor: systemActor("test"), name: "soon revoked", scopes: ["ingest"] });
    expect((await post(body, {}, key)).status).toBe(200);
    await revokeApiKey(database.db, { actor: systemActor("test"), id: apiKey.id });
    const revoked = await post(JSON.stringify([cloudEvent({ source: auth })]), {}, key);
    expect(revoked.status).toBe(401);
    expect(await stored(auth)).toBe(1);
  });
});
