import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as health } from "@/app/api/health/route";
import { POST as ingestRoute } from "@/app/api/v1/events/route";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { isDatabaseUnavailableError } from "@/db/errors";
import { cloudEvent } from "@/server/metering/test-events";
import { startHotRouteServer, type HotRouteServer } from "./test-hot-route-server";
import { useRouteDatabase as setRouteDatabase } from "./use-route-database";

/*
 * Issue 16, defect 11: while the database is away, ingestion answers 503 with Retry-After (not
 * 500) quickly, and /api/health answers within a second. Two kinds of "away": a port that refuses
 * connections (PostgreSQL stopped), and a host that accepts and never answers (a hung server or
 * a network black hole), bounded by the connect timeout.
 */

let refused: DatabaseHandle;
let silent: DatabaseHandle;
let blackHole: net.Server;
let hot: HotRouteServer;
const sockets: net.Socket[] = [];

beforeAll(async () => {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  blackHole = net.createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => blackHole.listen(0, "127.0.0.1", resolve));
  refused = await openDatabase({ url: `postgres://postgres@127.0.0.1:${closedPort}/tally`, poolMax: 2 });
  silent = await openDatabase({ url: `postgres://postgres@127.0.0.1:${(blackHole.address() as AddressInfo).port}/tally`, poolMax: 2 });
  hot = await startHotRouteServer();
});
afterAll(async () => {
  await hot?.close();
  await Promise.all([refused?.close(), silent?.close()]);
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => blackHole.close(() => resolve()));
});

const post = () =>
  new Request("http://tally.test/api/v1/events", {
    method: "POST",
    body: JSON.stringify([cloudEvent()]),
    headers: { "content-type": "application/cloudevents-batch+json", authorization: "Bearer tly_live_0000000000000000000000000000000000000000" },
  });

describe("while the database is away", () => {
  it.each([
    ["refuses connections", () => refused, 1_500],
    ["accepts and never answers", () => silent, 4_500],
  ])("ingestion answers 503 with Retry-After when it %s, on both paths", async (_, handle, withinMs) => {
    setRouteDatabase(handle());
    for (const send of [(request: Request) => ingestRoute(request), (request: Request) => hot.send(request)]) {
      const startedMs = performance.now();
      const response = await send(post());
      expect(performance.now() - startedMs).toBeLessThan(withinMs);
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("2");
      expect(await response.json()).toMatchObject({ error: { code: "database_unavailable" } });
    }
  });

  it("/api/health answers 503 within a second", async () => {
    for (const handle of [refused, silent]) {
      setRouteDatabase(handle);
      const startedMs = performance.now();
      const response = await health();
      expect(performance.now() - startedMs).toBeLessThan(1_000);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ ok: false, database: { reachable: false } });
    }
  });

  it("tells outages from bad requests", () => {
    expect(isDatabaseUnavailableError(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isDatabaseUnavailableError({ message: "wrapped", cause: { code: "57P01", message: "terminating connection due to administrator command" } })).toBe(true);
    expect(isDatabaseUnavailableError({ code: "CONNECT_TIMEOUT", message: "" })).toBe(true);
    expect(isDatabaseUnavailableError({ code: "23505", message: "duplicate key" })).toBe(false);
    expect(isDatabaseUnavailableError(new TypeError("bug"))).toBe(false);
  });
});
