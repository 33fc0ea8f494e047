import Stripe from "stripe";
import { createInstrumentedHttpClient } from "./instrumented-http-client";

/** Where the client talks to: the local emulator, Stripe's test mode, or live Stripe. */
export type StripeMode = "emulator" | "test" | "live";

export type StripeClientConfig = {
  /** `sk_test_...` / `sk_live_...`; unset → the local emulator. */
  secretKey?: string | null;
  emulatorPort: number;
  emulatorHost?: string;
  /** Per request; Stripe's own default is 80 s, far longer than a webhook or a step should wait. */
  timeoutMs?: number;
  /** The SDK's retries of 429/5xx/network errors, each with the same idempotency key. */
  maxNetworkRetries?: number;
};

export type StripeConnection = { stripe: Stripe; mode: StripeMode };

/** The API version Tally is written against: the one stripe@23.1.0 pins, stated explicitly. */
export const stripeApiVersion = Stripe.API_VERSION;

/** Any `sk_test_` key authenticates against the emulator; this one makes logs obvious. */
export const emulatorSecretKey = "sk_test_emulator";

export const stripeClientDefaults = { timeoutMs: 20_000, maxNetworkRetries: 2 } as const;

/**
 * The one Stripe client factory. Without a secret key the SDK points at the local emulator
 * (same code path, plain HTTP on localhost); with one, at Stripe. Domain functions receive the
 * client as an argument and never build their own.
 */
export function createStripeClient(config: StripeClientConfig): StripeConnection {
  const common = {
    apiVersion: stripeApiVersion,
    timeout: config.timeoutMs ?? stripeClientDefaults.timeoutMs,
    maxNetworkRetries: config.maxNetworkRetries ?? stripeClientDefaults.maxNetworkRetries,
    appInfo: { name: "tally" },
    // Counts every attempt for /api/metrics (tally_stripe_api_*).
    httpClient: createInstrumentedHttpClient(),
  };
  if (!config.secretKey) {
    const stripe = new Stripe(emulatorSecretKey, {
      ...common,
      host: config.emulatorHost ?? "127.0.0.1",
      port: config.emulatorPort,
      protocol: "http",
    });
    return { stripe, mode: "emulator" };
  }
  const mode: StripeMode = config.secretKey.includes("_live_") ? "live" : "test";
  return { stripe: new Stripe(config.secretKey, common), mode };
}

/** Ids the demo seed gives the payment history it writes (`cus_demo_…`, `in_demo_…`): no Stripe account holds them. */
export const isDemoStripeId = (stripeId: string): boolean => /^[a-z]+_demo_/.test(stripeId);

/** The dashboard page of a Stripe object, or null for the emulator (it has no dashboard) and for the demo seed's own ids. */
export function stripeDashboardUrl(mode: StripeMode, kind: "customers" | "subscriptions" | "invoices" | "events", stripeId: string): string | null {
  if (mode === "emulator" || isDemoStripeId(stripeId)) return null;
  return `https://dashboard.stripe.com/${mode === "test" ? "test/" : ""}${kind}/${encodeURIComponent(stripeId)}`;
}
