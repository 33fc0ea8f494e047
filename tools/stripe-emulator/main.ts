import { startStripeEmulator } from "./index";

/** `npm run stripe:emulator`: the emulator on STRIPE_EMULATOR_PORT (default 12111) until interrupted. */
const port = Number(process.env.STRIPE_EMULATOR_PORT ?? "12111");
if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`STRIPE_EMULATOR_PORT must be a port number, got ${process.env.STRIPE_EMULATOR_PORT}`);
const seed = process.env.STRIPE_EMULATOR_SEED === undefined ? undefined : Number(process.env.STRIPE_EMULATOR_SEED);
const emulator = await startStripeEmulator({ port, seed });
console.log(`Stripe emulator listening on ${emulator.url} (API version ${emulator.stripeClientOptions.apiVersion})`);
console.log(`Use: new Stripe("sk_test_emulator", { host: "${emulator.host}", port: ${emulator.port}, protocol: "http" })`);
const stop = (): void => {
  void emulator.close().then(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
