import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

export type ReceivedWebhook = { id: string; type: string; body: string; data: Record<string, unknown>; verified: boolean; timestamp: number };

/**
 * Tests and the benchmark: a local receiver that verifies every delivery's Standard Webhooks
 * signature with the endpoint's secret and answers `status()` (200 by default; a failing
 * receiver answers 500). Unverifiable deliveries are counted, never accepted.
 */
export async function startWebhookReceiver(options: { secret?: string; status?: () => number } = {}) {
  const received: ReceivedWebhook[] = [];
  let secret = options.secret;
  let rejected = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const status = options.status?.() ?? 200;
      let verified = false;
      try {
        if (secret) {
          new Webhook(secret).verify(body, { "webhook-id": String(request.headers["webhook-id"]), "webhook-timestamp": String(request.headers["webhook-timestamp"]), "webhook-signature": String(request.headers["webhook-signature"]) });
          verified = true;
        }
      } catch {
        verified = false;
      }
      if (!verified) rejected += 1;
      if (status >= 200 && status < 300 && verified) {
        const parsed = JSON.parse(body) as { type: string; data: Record<string, unknown> };
        received.push({ id: String(request.headers["webhook-id"]), type: parsed.type, body, data: parsed.data, verified, timestamp: Number(request.headers["webhook-timestamp"]) });
      }
      response.writeHead(verified ? status : 400, { "content-type": "application/json" });
      response.end(JSON.stringify({ ok: verified && status < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/tally`,
    received,
    rejected: () => rejected,
    setSecret: (value: string) => {
      secret = value;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
