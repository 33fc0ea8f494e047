import http from "node:http";
import type { AddressInfo } from "node:net";
import { installHotRoutes, uninstallHotRoutes } from "./hot-routes";

export type HotRouteServer = {
  /** Sends `request` (its method, path, headers and body) to the server instead of its own host. */
  send(request: Request): Promise<Response>;
  close(): Promise<void>;
};

/** The answer of the server's own handler, i.e. what Next would have served: proof a request was not taken by a hot route. */
export const fallThroughStatus = 599;

/**
 * Tests: a real Node HTTP server with the hot routes installed, as under `next start`; every
 * request the hot routes do not take gets `fallThroughStatus` from the server's own handler.
 */
export async function startHotRouteServer(): Promise<HotRouteServer> {
  installHotRoutes();
  const server = http.createServer((_request, response) => {
    response.writeHead(fallThroughStatus, { "content-type": "text/plain" });
    response.end("served by the server's own handler");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    send(request) {
      const url = new URL(request.url);
      return fetch(new Request(`${base}${url.pathname}${url.search}`, { method: request.method, headers: request.headers, body: request.body, duplex: "half" } as RequestInit));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      uninstallHotRoutes();
    },
  };
}
