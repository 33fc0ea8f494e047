import crypto from "node:crypto";

/**
 * Idempotency keys of every Stripe write, derived from Tally's own ids, so a retried step (SDK
 * retry, Inngest retry, a second `npm run job`) replays Stripe's first answer instead of creating
 * a second object. Updates add the Tally row's version or a hash of the desired state: the same
 * change retried is one write; a later, different change gets its own key. (Stripe keeps keys
 * for 24 hours; creates also check the local link first, so an old key is not the only guard.)
 */
export const stripeIdempotencyKeys = {
  customerCreate: (customerId: string) => `tally:customer:${customerId}:create`,
  customerUpdate: (customerId: string, desired: unknown) => `tally:customer:${customerId}:update:${contentHash(desired)}`,
  product: (planId: string) => `tally:plan:${planId}:product`,
  price: (planVersionId: string) => `tally:plan-version:${planVersionId}:price`,
  subscriptionCreate: (subscriptionId: string) => `tally:subscription:${subscriptionId}:create`,
  subscriptionUpdate: (subscriptionId: string, desired: unknown) => `tally:subscription:${subscriptionId}:update:${contentHash(desired)}`,
  subscriptionCancel: (subscriptionId: string) => `tally:subscription:${subscriptionId}:cancel`,
} as const;

function contentHash(value: unknown): string {
  return crypto.createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}
