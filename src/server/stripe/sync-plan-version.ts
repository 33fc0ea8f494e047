import { and, eq, inArray, isNull } from "drizzle-orm";
import type Stripe from "stripe";
import { z } from "zod";
import type { Db } from "@/db/client";
import { plans, planVersions } from "@/db/schema";
import { getPlanVersion } from "@/server/catalog/get-plan-version";
import { DomainError } from "@/server/errors";
import { stripeIdempotencyKeys } from "./idempotency-keys";
import { microsToStripeMinor, minorToSdkNumber } from "./money";
import { stripeWrite } from "./stripe-write";

export const syncPlanVersionInput = z.object({ planVersionId: z.uuid() });
export type SyncPlanVersionResult = { stripeProductId: string; stripePriceId: string; action: "created" | "unchanged" };

/**
 * Maps a published plan version to Stripe: the plan is a Stripe product, the version's base fee
 * a licensed per-seat recurring price (quantity = seats). Prices are immutable in Stripe as the
 * version is in Tally, so a version gets exactly one price. Usage is rated by Tally and reaches
 * Stripe as invoice lines, so no usage prices are created (`stripe_usage_price_ids` stays {}).
 */
export async function syncPlanVersion(db: Db, stripe: Stripe, rawInput: z.infer<typeof syncPlanVersionInput>): Promise<SyncPlanVersionResult> {
  const { planVersionId } = syncPlanVersionInput.parse(rawInput);
  const version = await getPlanVersion(db, planVersionId);
  if (version.status === "draft") {
    throw new DomainError("precondition", "plan_version_not_published", `Publish version ${version.version} of ${version.plan.name} before syncing it to Stripe.`);
  }
  const productId = version.plan.stripeProductId ?? (await createProduct(db, stripe, version.plan));
  if (version.stripePriceId) return { stripeProductId: productId, stripePriceId: version.stripePriceId, action: "unchanged" };
  const unitAmount = minorToSdkNumber(microsToStripeMinor(version.baseFeePerSeatMicros, version.currency));
  const price = await stripeWrite(
    db,
    { operation: "price.create", objectType: "plan_version", objectId: version.id, idempotencyKey: stripeIdempotencyKeys.price(version.id) },
    (options) =>
      stripe.prices.create(
        {
          product: productId,
          currency: version.currency,
          unit_amount: unitAmount,
          recurring: { interval: version.billingInterval, usage_type: "licensed" },
          nickname: `${version.plan.name} v${version.version} (per seat)`,
          metadata: { tally_plan_version_id: version.id, tally_plan_key: version.plan.key, tally_version: String(version.version) },
        },
        options,
      ),
  );
  // The immutability trigger allows exactly this column on a published version.
  await db.update(planVersions).set({ stripePriceId: price.id }).where(and(eq(planVersions.id, version.id), isNull(planVersions.stripePriceId)));
  return { stripeProductId: productId, stripePriceId: price.id, action: "created" };
}

async function createProduct(db: Db, stripe: Stripe, plan: { id: string; key: string; name: string; description: string }): Promise<string> {
  const product = await stripeWrite(
    db,
    { operation: "product.create", objectType: "plan", objectId: plan.id, idempotencyKey: stripeIdempotencyKeys.product(plan.id) },
    (options) =>
      stripe.products.create(
        { name: plan.name, ...(plan.description ? { description: plan.description } : {}), metadata: { tally_plan_id: plan.id, tally_plan_key: plan.key } },
        options,
      ),
  );
  await db.update(plans).set({ stripeProductId: product.id }).where(and(eq(plans.id, plan.id), isNull(plans.stripeProductId)));
  return product.id;
}

export const syncCatalogVersionsMax = 500;

/** Every published or archived version without a Stripe price (bounded per run). */
export async function syncCatalog(db: Db, stripe: Stripe): Promise<{ synced: number }> {
  const pending = await db
    .select({ id: planVersions.id })
    .from(planVersions)
    .where(and(inArray(planVersions.status, ["published", "archived"]), isNull(planVersions.stripePriceId)))
    .orderBy(planVersions.createdAt)
    .limit(syncCatalogVersionsMax);
  for (const version of pending) await syncPlanVersion(db, stripe, { planVersionId: version.id });
  return { synced: pending.length };
}
