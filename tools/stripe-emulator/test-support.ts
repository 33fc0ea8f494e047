import Stripe from "stripe";
import { startStripeEmulator, type StartStripeEmulatorOptions, type StripeEmulator } from "./index";

export interface EmulatorFixture {
  emulator: StripeEmulator;
  stripe: Stripe;
}

/** An in-process emulator and an SDK client pointed at it, as the integration's tests will use them. */
export async function startWithClient(options: StartStripeEmulatorOptions = {}, clientOptions: { maxNetworkRetries?: number } = {}): Promise<EmulatorFixture> {
  const emulator = await startStripeEmulator({ port: 0, tickIntervalMs: 0, ...options });
  const stripe = new Stripe("sk_test_emulator", {
    ...emulator.stripeClientOptions,
    maxNetworkRetries: clientOptions.maxNetworkRetries ?? 2,
  });
  return { emulator, stripe };
}

export const daySeconds = 86_400;

export interface ReceivedWebhook {
  rawBody: string;
  signature: string;
}

/** A local HTTP endpoint that records webhook deliveries; `status` decides how it answers. */
export async function startWebhookReceiver(answer: (count: number) => number = () => 200): Promise<{
  url: string;
  received: ReceivedWebhook[];
  close(): Promise<void>;
}> {
  const http = await import("node:http");
  const received: ReceivedWebhook[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ rawBody: Buffer.concat(chunks).toString("utf8"), signature: String(request.headers["stripe-signature"] ?? "") });
      response.writeHead(answer(received.length));
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}/webhooks`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
