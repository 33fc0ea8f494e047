import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installHotRoutes, uninstallHotRoutes } from "@/server/http/hot-routes";
import { useRouteDatabase } from "@/server/http/use-route-database";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { installRequestIds, uninstallRequestIds } from "./install-request-ids";
import { getRequestContext } from "./request-context";

/* A real Node server as under `next start`: hot routes installed, request ids wrapped around them. */
let database: TestDatabase;
let server: http.Server;
let base: string;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
  useRouteDatabase(database);
  installHotRoutes();
  installRequestIds();
  // Stands in for Next: answers with what the handler saw, after an await.
  server = http.createServer(async (request, response) => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    const context = getRequestContext();
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ contextId: context?.requestId ?? null, headerId: request.headers["x-request-id"] ?? null, remote: context?.remoteAddress ?? null }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  uninstallRequestIds();
  uninstallHotRoutes();
  await database?.drop();
});

describe("request ids on every request", () => {
  it("gives a request without one a new id, the same in the response header, the request's headers and the handler's context", async () => {
    const first = await fetch(`${base}/api/trpc/customers.list`);
    const second = await fetch(`${base}/api/health`);
    const firstId = first.headers.get("x-request-id");
    expect(firstId).toMatch(/^req_[0-9a-f]{32}$/);
    expect(await first.json()).toEqual({ contextId: firstId, headerId: firstId, remote: "127.0.0.1" });
    expect(second.headers.get("x-request-id")).not.toBe(firstId);
    await second.text();
  });

  it("keeps the caller's sane id and replaces a hostile one", async () => {
    const kept = await fetch(`${base}/api/health`, { headers: { "x-request-id": "edge-7f3a:42" } });
    expect(kept.headers.get("x-request-id")).toBe("edge-7f3a:42");
    expect(await kept.json()).toMatchObject({ contextId: "edge-7f3a:42", headerId: "edge-7f3a:42" });
    const replaced = await fetch(`${base}/api/health`, { headers: { "x-request-id": `<${"x".repeat(300)}>` } });
    expect(replaced.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/);
    await replaced.text();
  });

  it("is returned by the hot routes too, on refusals as well", async () => {
    for (const path of ["/api/v1/events", "/api/v1/entitlements/check"]) {
      const refused = await fetch(`${base}${path}`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
      expect(refused.status, path).toBe(401);
      expect(refused.headers.get("x-request-id"), path).toMatch(/^req_[0-9a-f]{32}$/);
      await refused.text();
      const echoed = await fetch(`${base}${path}`, { method: "POST", body: "{}", headers: { "content-type": "application/json", "x-request-id": "edge-1" } });
      expect(echoed.headers.get("x-request-id")).toBe("edge-1");
      await echoed.text();
    }
  });
});
