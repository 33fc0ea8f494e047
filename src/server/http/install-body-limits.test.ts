import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installRequestIds, uninstallRequestIds } from "@/server/observability/install-request-ids";
import { defaultBodyBytesMax, installBodyLimits, uninstallBodyLimits } from "./install-body-limits";

/*
 * Issue 16 #6: four 200 MiB tRPC requests from a signed-in user took the server from 577 MB to
 * 1.8 GB. A real Node server stands in for Next; its handler buffers whatever body reaches it
 * (as tRPC's fetch adapter does), so the bytes it saw are the memory a request could take.
 */
let server: http.Server;
let port: number;
let handled: { path: string; bytes: number }[] = [];

beforeAll(async () => {
  installBodyLimits();
  installRequestIds();
  server = http.createServer(async (request, response) => {
    const entry = { path: request.url ?? "", bytes: 0 };
    handled.push(entry);
    try {
      for await (const chunk of request) entry.bytes += (chunk as Buffer).byteLength;
    } catch {
      return; // the limit cut the body off; the 413 is already on its way
    }
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ bytes: entry.bytes }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  uninstallRequestIds();
  uninstallBodyLimits();
});

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string; sentBytes: number };

/**
 * Sends `totalBytes` in 64 KiB chunks (declaring them in Content-Length, or chunked), stopping
 * as soon as an answer arrives; resolves with the answer and how much was actually sent.
 */
function send(path: string, totalBytes: number, options: { declare: boolean }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let sentBytes = 0;
    let answered = false;
    const headers: http.OutgoingHttpHeaders = { "content-type": "application/json" };
    if (options.declare) headers["content-length"] = String(totalBytes);
    const request = http.request({ host: "127.0.0.1", port, path, method: "POST", headers, agent: false }, (response) => {
      answered = true;
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body, sentBytes }));
      response.on("error", reject);
    });
    request.on("error", (error) => {
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (!answered && sentBytes < totalBytes) {
        const size = Math.min(chunk.byteLength, totalBytes - sentBytes);
        sentBytes += size;
        if (!request.write(chunk.subarray(0, size))) {
          request.once("drain", pump);
          return;
        }
      }
      if (!answered) request.end();
    };
    pump();
  });
}

const mib = 1024 * 1024;

describe("request body limits on every route", () => {
  it("refuses a declared 200 MiB tRPC body with 413 before reading any of it", async () => {
    handled = [];
    const answer = await send("/api/trpc/customers.update?batch=1", 200 * mib, { declare: true });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: "body_too_large", request_id: answer.headers["x-request-id"] } });
    expect(handled).toEqual([]);
    // The client stopped long before 200 MiB: the server answered without waiting for the body.
    expect(answer.sentBytes).toBeLessThan(50 * mib);
  });

  it("cuts off a chunked body (no Content-Length) at the limit, so no handler buffers more", async () => {
    handled = [];
    const answer = await send("/api/trpc/customers.update", 200 * mib, { declare: false });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: "body_too_large" } });
    expect(handled).toHaveLength(1);
    expect(handled[0]!.bytes).toBeLessThanOrEqual(defaultBodyBytesMax);
    expect(answer.sentBytes).toBeLessThan(50 * mib);
  });

  it("applies to every path (sign-in, route handlers), and lets ordinary bodies through whole", async () => {
    handled = [];
    expect((await send("/api/auth/callback/credentials", 5 * mib, { declare: true })).status).toBe(413);
    expect((await send("/api/webhooks/stripe", 5 * mib, { declare: false })).status).toBe(413);
    const ordinary = await send("/api/trpc/customers.update", 200 * 1024, { declare: true });
    expect(ordinary.status).toBe(200);
    expect(JSON.parse(ordinary.body)).toEqual({ bytes: 200 * 1024 });
    const chunked = await send("/api/trpc/customers.update", defaultBodyBytesMax, { declare: false });
    expect(chunked.status).toBe(200);
    expect(JSON.parse(chunked.body)).toEqual({ bytes: defaultBodyBytesMax });
  });

  it("leaves the public API's batches to their endpoints' own limits", async () => {
    const batch = await send("/api/v1/events", 1_048_576, { declare: true });
    expect(batch.status).toBe(200);
  });
});
