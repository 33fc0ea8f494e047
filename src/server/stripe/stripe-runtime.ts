import { createStripeClient, type StripeConnection } from "./stripe-client";

/**
 * The process-wide Stripe connection for the thin edges (route handler, jobs, workers, Inngest
 * functions): built once from the environment, shared by every module instance Next.js creates.
 * Domain functions never call this; they take `stripe` as an argument.
 */
export type StripeRuntime = StripeConnection & {
  /** Verifies webhook signatures; null → the webhook route refuses every delivery. */
  webhookSecret: string | null;
};

/** The secret the local emulator's webhook endpoint is registered with (development only). */
export const localEmulatorWebhookSecret = "whsec_tally_local_emulator_development_only";

const runtimeKey = Symbol.for("tally.stripe.runtime");
type Holder = typeof globalThis & { [runtimeKey]?: StripeRuntime };

export type StripeRuntimeEnv = {
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  STRIPE_EMULATOR_PORT: number;
};

export function stripeRuntimeFromEnv(env: StripeRuntimeEnv): StripeRuntime {
  const connection = createStripeClient({ secretKey: env.STRIPE_SECRET_KEY, emulatorPort: env.STRIPE_EMULATOR_PORT });
  const webhookSecret = env.STRIPE_WEBHOOK_SECRET ?? (connection.mode === "emulator" ? localEmulatorWebhookSecret : null);
  return { ...connection, webhookSecret };
}

export async function getStripeRuntime(): Promise<StripeRuntime> {
  const holder = globalThis as Holder;
  if (!holder[runtimeKey]) {
    const { env } = await import("@/env");
    holder[runtimeKey] = stripeRuntimeFromEnv(env);
  }
  return holder[runtimeKey];
}

/** Tests (and the dev start-up) put their own connection in the slot. */
export function setStripeRuntime(runtime: StripeRuntime): void {
  (globalThis as Holder)[runtimeKey] = runtime;
}
