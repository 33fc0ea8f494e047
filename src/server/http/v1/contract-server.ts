import http from "node:http";
import type { AddressInfo } from "node:net";
import type Stripe from "stripe";
import type { Clock } from "@/server/clock";
import { fromNodeRequest, writeNodeResponse } from "../node-exchange";
import { openApiJson } from "./openapi";
import { serveApiRequest } from "./serve-api";

/**
 * Tests: a real HTTP server answering /api/v1 with the code the App Router's catch-all route runs
 * (serveApiRequest), plus GET /api/v1/openapi.json. Clients generated from the spec talk to it over
 * sockets, as they would to `next start`.
 */
export async function startApiTestServer(options: { clock?: Clock; stripe?: Stripe | null } = {}): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const server = http.createServer((request, response) => {
    if (request.method === "GET" && request.url === "/api/v1/openapi.json") {
      response.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      response.end(openApiJson());
      return;
    }
    void serveApiRequest(fromNodeRequest(request), { clock: options.clock, stripe: async () => options.stripe ?? null }).then(
      (answer) => writeNodeResponse(request, response, answer),
      () => response.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
