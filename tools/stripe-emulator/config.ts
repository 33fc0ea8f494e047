import Stripe from "stripe";

/** Billing behaviour the tests may tune; defaults follow Stripe's. */
export interface EmulatorConfig {
  /** `api_version` stamped on events; defaults to the SDK's pinned version. */
  apiVersion: string;
  /** How long a renewal invoice stays draft before it finalizes and is charged (Stripe: about an hour). */
  draftWindowSeconds: number;
  /** An `incomplete` subscription whose first invoice is unpaid expires after this long (Stripe: 23 hours). */
  incompleteExpirySeconds: number;
  dunning: DunningConfig;
  payouts: PayoutConfig;
  webhooks: { retryDelaysMs: number[]; timeoutMs: number };
}

export interface DunningConfig {
  /** Retry times after the first failed automatic attempt, as offsets from that attempt (default +3d, +5d, +7d). */
  retryOffsetsSeconds: number[];
  /** What happens to the subscription once every retry failed. */
  subscriptionAfterRetries: "canceled" | "unpaid" | "past_due";
  /** What happens to the invoice once every retry failed. */
  invoiceAfterRetries: "open" | "uncollectible";
}

/**
 * Automatic payouts, as a new Stripe account in the US has them: daily, each day paying out what
 * became available, a charge becoming available `delayDays` after the day it was made (Stripe: 2
 * business days; here calendar days), arriving `transitDays` after the payout is created.
 */
export interface PayoutConfig {
  /** `manual`: balance transactions accumulate and no payout is made (Stripe's manual payouts). */
  schedule: "daily" | "manual";
  delayDays: number;
  transitDays: number;
}

const day = 24 * 60 * 60;

export function defaultConfig(): EmulatorConfig {
  return {
    apiVersion: Stripe.API_VERSION,
    draftWindowSeconds: 60 * 60,
    incompleteExpirySeconds: 23 * 60 * 60,
    dunning: { retryOffsetsSeconds: [3 * day, 5 * day, 7 * day], subscriptionAfterRetries: "canceled", invoiceAfterRetries: "open" },
    payouts: { schedule: "daily", delayDays: 2, transitDays: 1 },
    webhooks: { retryDelaysMs: [1_000, 5_000, 30_000, 120_000], timeoutMs: 10_000 },
  };
}

export type ConfigPatch = Partial<Omit<EmulatorConfig, "dunning" | "payouts" | "webhooks">> & {
  dunning?: Partial<DunningConfig>;
  payouts?: Partial<PayoutConfig>;
  webhooks?: Partial<EmulatorConfig["webhooks"]>;
};

export function mergeConfig(current: EmulatorConfig, patch: ConfigPatch): EmulatorConfig {
  const next: EmulatorConfig = {
    ...current,
    ...patch,
    dunning: { ...current.dunning, ...patch.dunning },
    payouts: { ...current.payouts, ...patch.payouts },
    webhooks: { ...current.webhooks, ...patch.webhooks },
  };
  if (next.dunning.retryOffsetsSeconds.length > 20) throw new Error("at most 20 retries");
  if (next.webhooks.retryDelaysMs.length > 20) throw new Error("at most 20 webhook retries");
  if (!(next.payouts.delayDays >= 0 && next.payouts.delayDays <= 30 && next.payouts.transitDays >= 0 && next.payouts.transitDays <= 30)) throw new Error("payout delay and transit days must be 0..30");
  if (next.draftWindowSeconds < 0) throw new Error("draftWindowSeconds must be >= 0");
  return next;
}
