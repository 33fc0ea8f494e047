import http from "node:http";
import { getDatabase } from "@/db/client";
import { installDriverRaceGuard } from "@/db/driver-race-guard";
import { systemClock } from "@/server/clock";
import { getHealth } from "@/server/health/get-health";
import { installHotRoutes } from "@/server/http/hot-routes";
import { meteringRollupWorker } from "@/server/metering/run-rollup-worker";
import { runWorkers } from "@/server/workers/run-workers";

/*
 * `tsx src/test/api-server-process.ts` (PORT, DATABASE_URL): the production request path of the
 * public API without Next's build — the hot routes (`POST /api/v1/events`, the entitlement
 * check), exactly as `next start` installs them, GET /api/health, and the rollup worker — as a
 * process a crash test can SIGKILL and restart in a second. Prints `listening <port>` when ready.
 */

installDriverRaceGuard((message) => console.error(`[api-server] ${message}`));
installHotRoutes();
const port = Number(process.env.PORT ?? 0);
const server = http.createServer((request, response) => {
  if (request.method === "GET" && request.url === "/api/health") {
    void getDatabase()
      .then((handle) => getHealth(handle))
      .then((health) => {
        response.writeHead(health.ok ? 200 : 503, { "content-type": "application/json" });
        response.end(JSON.stringify(health));
      });
    return;
  }
  response.writeHead(404, { "content-type": "application/json" });
  response.end('{"error":{"code":"not_found","message":"Not served by the crash-test server."}}');
});
server.listen(port, "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening ${typeof address === "object" && address ? address.port : port}`);
});
if (process.env.TALLY_WORKERS !== "off") {
  void getDatabase().then((handle) => runWorkers([meteringRollupWorker], { db: handle.db, clock: systemClock, log: (message) => console.error(`[worker] ${message}`) }));
}
