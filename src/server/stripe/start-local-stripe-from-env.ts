import type { Db } from "@/db/client";
import type { Clock } from "@/server/clock";
import { startLocalStripe } from "./start-local-stripe";

/**
 * Development start-up: the local Stripe emulator when STRIPE_SECRET_KEY is unset. A failure
 * here is logged, never fatal: the console works without Stripe data.
 */
export async function startLocalStripeFromEnv(context: { db: Db; clock: Clock; log: (message: string) => void }): Promise<void> {
  const { env } = await import("@/env");
  try {
    await startLocalStripe({
      ...context,
      secretKey: env.STRIPE_SECRET_KEY,
      webhookSecret: env.STRIPE_WEBHOOK_SECRET,
      emulatorPort: env.STRIPE_EMULATOR_PORT,
      appUrl: env.NEXTAUTH_URL ?? `http://localhost:${process.env.PORT ?? 3000}`,
    });
  } catch (error) {
    context.log(`stripe: local emulator not started: ${error instanceof Error ? error.message : String(error)}`);
  }
}
