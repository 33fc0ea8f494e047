import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

/*
 * The webhooks benchmark's receivers, in their own process (the product's servers are not Tally's):
 * forked with IPC by bench/suites/webhooks.ts. `{ start: n }` → n HTTP servers → `{ urls }`;
 * `{ secrets }` (the endpoints' secrets, in the same order) → `{ ok }`, then every delivery's Standard
 * Webhooks signature is verified; `{ report: true }` →
 * `{ receipts: [receiver, webhook-id, epoch ms][], duplicates, rejected }` (first receipts only).
 */

type Message = { start: number } | { secrets: string[] } | { report: true };

const servers: http.Server[] = [];
const receipts: [number, string, number][] = [];
const seen: Set<string>[] = [];
const verifiers: (Webhook | undefined)[] = [];
let duplicates = 0;
let rejected = 0;

async function start(count: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      seen[index] = new Set();
      const server = http.createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
          const id = String(request.headers["webhook-id"]);
          try {
            if (!verifiers[index]) throw new Error("no secret yet");
            verifiers[index].verify(Buffer.concat(chunks).toString("utf8"), { "webhook-id": id, "webhook-timestamp": String(request.headers["webhook-timestamp"]), "webhook-signature": String(request.headers["webhook-signature"]) });
          } catch {
            rejected += 1;
            response.writeHead(400).end();
            return;
          }
          if (seen[index]!.has(id)) duplicates += 1;
          else {
            seen[index]!.add(id);
            receipts.push([index, id, performance.timeOrigin + performance.now()]);
          }
          response.writeHead(204).end();
        });
      });
      server.keepAliveTimeout = 30_000;
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
    }),
  );
}

process.on("message", (message: Message) => {
  if ("start" in message) void start(message.start).then((urls) => process.send!({ urls }));
  else if ("secrets" in message) {
    message.secrets.forEach((secret, index) => (verifiers[index] = new Webhook(secret)));
    process.send!({ ok: true });
  } else process.send!({ receipts, duplicates, rejected });
});
process.on("disconnect", () => {
  for (const server of servers) server.closeAllConnections();
  process.exit(0);
});
