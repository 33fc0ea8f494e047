import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { features, meters, plans, planVersions, products } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { systemClock, type Clock } from "@/server/clock";
import type { Price } from "@/server/pricing/price-schema";
import type { CatalogMutationContext } from "./catalog-audit";
import type { PlanVersionTermsInput } from "./catalog-schemas";
import { createFeature, type CreateFeatureInput } from "./create-feature";
import { createMeter, type CreateMeterInput } from "./create-meter";
import { createPlan } from "./create-plan";
import { createPlanVersion } from "./create-plan-version";
import { createProduct } from "./create-product";
import { publishPlanVersion } from "./publish-plan-version";

const usd = (dollars: bigint): bigint => dollars * 1_000_000n;

const productSeeds = [
  { key: "editor", name: "Tally Editor", description: "The code editor, billed per seat." },
  { key: "agent", name: "Agent", description: "The coding agent, billed by tokens per model and requests." },
  { key: "code_review", name: "Code Review", description: "Automated pull-request reviews, billed per review." },
] as const;

const meterSeeds: (Omit<CreateMeterInput, "productId"> & { productKey: string })[] = [
  {
    key: "llm_tokens",
    name: "LLM tokens",
    productKey: "agent",
    eventType: "agent.llm.completion",
    aggregation: "sum",
    valuePath: "tokens",
    filters: [{ property: "kind", operator: "not_equals", value: "cached" }],
    groupBy: ["model"],
    unit: "token",
  },
  { key: "agent_requests", name: "Agent requests", productKey: "agent", eventType: "agent.request", aggregation: "count", unit: "request" },
  { key: "reviews", name: "Code reviews", productKey: "code_review", eventType: "code_review.completed", aggregation: "count", unit: "review" },
  {
    key: "active_repos",
    name: "Active repositories",
    productKey: "code_review",
    eventType: "code_review.completed",
    aggregation: "unique_count",
    valuePath: "repo",
    unit: "repository",
  },
];

const featureSeeds: (Omit<CreateFeatureInput, "productId"> & { productKey: string })[] = [
  { key: "editor_access", name: "Editor", kind: "boolean", productKey: "editor" },
  { key: "premium_models", name: "Premium models (Opus)", kind: "boolean", productKey: "agent" },
  { key: "agent_tokens", name: "Agent tokens", kind: "metered", productKey: "agent" },
  { key: "agent_requests", name: "Agent requests", kind: "metered", productKey: "agent" },
  { key: "code_reviews", name: "Code reviews", kind: "metered", productKey: "code_review" },
  { key: "active_repos", name: "Active repositories", kind: "metered", productKey: "code_review" },
  { key: "sso", name: "Single sign-on", kind: "boolean", productKey: "editor" },
  { key: "support_tier", name: "Support tier", kind: "config", productKey: "editor" },
];

/** Per-model token prices (USD per token): Opus $15/M, Sonnet $3/M, Haiku $0.80/M, others $2/M. */
function tokenPrice(opusPerToken: string): Price {
  const graduated = (first: string, beyond: string): Price => ({
    model: "graduated",
    includedQuantity: "0",
    tiers: [
      { upTo: "10000000", unitPrice: first },
      { upTo: null, unitPrice: beyond },
    ],
  });
  return {
    ...graduated("0.000002", "0.0000018"),
    dimensionOverrides: {
      dimension: "model",
      prices: [
        { value: "opus", price: { model: "per_unit", unitPrice: opusPerToken, includedQuantity: "0" } },
        { value: "sonnet", price: graduated("0.000003", "0.0000027") },
        { value: "haiku", price: { model: "per_unit", unitPrice: "0.0000008", includedQuantity: "0" } },
      ],
    },
  };
}

const freeTerms: PlanVersionTermsInput = {
  currency: "usd",
  billingInterval: "month",
  baseFeePerSeatMicros: 0n,
  trialDays: 0,
  entitlements: [
    { featureKey: "editor_access", kind: "boolean", enabled: true },
    { featureKey: "premium_models", kind: "boolean", enabled: false },
    { featureKey: "agent_tokens", kind: "metered", meterKey: "llm_tokens", allowancePerPeriod: "100000", overage: "block" },
    { featureKey: "agent_requests", kind: "metered", meterKey: "agent_requests", allowancePerPeriod: "200", overage: "block" },
    { featureKey: "code_reviews", kind: "metered", meterKey: "reviews", allowancePerPeriod: "20", overage: "block" },
    { featureKey: "active_repos", kind: "metered", meterKey: "active_repos", allowancePerPeriod: "3", overage: "block" },
    { featureKey: "support_tier", kind: "config", value: "community" },
  ],
  usagePrices: [],
};

function proTerms(version: 1 | 2): PlanVersionTermsInput {
  return {
    currency: "usd",
    billingInterval: "month",
    // Version 2 (a later price change): $24 instead of $20 per seat, Opus $12/M instead of $15/M, 200 reviews included.
    baseFeePerSeatMicros: version === 1 ? usd(20n) : usd(24n),
    trialDays: 14,
    entitlements: [
      { featureKey: "editor_access", kind: "boolean", enabled: true },
      { featureKey: "premium_models", kind: "boolean", enabled: true },
      { featureKey: "agent_tokens", kind: "metered", meterKey: "llm_tokens", allowancePerPeriod: "2000000", overage: "bill" },
      { featureKey: "agent_requests", kind: "metered", meterKey: "agent_requests", allowancePerPeriod: null, overage: "bill" },
      { featureKey: "code_reviews", kind: "metered", meterKey: "reviews", allowancePerPeriod: version === 1 ? "100" : "200", overage: "bill" },
      { featureKey: "active_repos", kind: "metered", meterKey: "active_repos", allowancePerPeriod: "20", overage: "block" },
      { featureKey: "support_tier", kind: "config", value: "standard" },
    ],
    usagePrices: [
      { meterKey: "llm_tokens", price: tokenPrice(version === 1 ? "0.000015" : "0.000012") },
      // $1 per 1,000 requests, the first 5,000 free.
      { meterKey: "agent_requests", price: { model: "package", packageSize: "1000", packagePrice: "1", includedQuantity: "5000" } },
      { meterKey: "reviews", price: { model: "per_unit", unitPrice: "0.5", includedQuantity: version === 1 ? "100" : "200" } },
    ],
  };
}

const teamTerms: PlanVersionTermsInput = {
  currency: "usd",
  billingInterval: "month",
  baseFeePerSeatMicros: usd(40n),
  trialDays: 14,
  entitlements: [
    { featureKey: "editor_access", kind: "boolean", enabled: true },
    { featureKey: "premium_models", kind: "boolean", enabled: true },
    { featureKey: "agent_tokens", kind: "metered", meterKey: "llm_tokens", allowancePerPeriod: "10000000", overage: "bill" },
    { featureKey: "agent_requests", kind: "metered", meterKey: "agent_requests", allowancePerPeriod: null, overage: "bill" },
    { featureKey: "code_reviews", kind: "metered", meterKey: "reviews", allowancePerPeriod: "1000", overage: "bill" },
    { featureKey: "active_repos", kind: "metered", meterKey: "active_repos", allowancePerPeriod: null, overage: "block" },
    { featureKey: "sso", kind: "boolean", enabled: true },
    { featureKey: "support_tier", kind: "config", value: "priority" },
  ],
  usagePrices: [
    { meterKey: "llm_tokens", price: tokenPrice("0.000014") },
    { meterKey: "agent_requests", price: { model: "package", packageSize: "1000", packagePrice: "0.8", includedQuantity: "20000" } },
    {
      meterKey: "reviews",
      price: {
        model: "graduated",
        includedQuantity: "1000",
        tiers: [
          { upTo: "5000", unitPrice: "0.4" },
          { upTo: null, unitPrice: "0.25", flatAmountMicros: "100000000" }, // $100 platform fee once past 5,000 billed reviews
        ],
      },
    },
  ],
};

const enterpriseTerms: PlanVersionTermsInput = {
  currency: "usd",
  billingInterval: "year",
  baseFeePerSeatMicros: usd(480n),
  trialDays: 30,
  entitlements: [
    { featureKey: "editor_access", kind: "boolean", enabled: true },
    { featureKey: "premium_models", kind: "boolean", enabled: true },
    { featureKey: "agent_tokens", kind: "metered", meterKey: "llm_tokens", allowancePerPeriod: null, overage: "bill" },
    { featureKey: "agent_requests", kind: "metered", meterKey: "agent_requests", allowancePerPeriod: null, overage: "bill" },
    { featureKey: "code_reviews", kind: "metered", meterKey: "reviews", allowancePerPeriod: null, overage: "bill" },
    { featureKey: "active_repos", kind: "metered", meterKey: "active_repos", allowancePerPeriod: null, overage: "block" },
    { featureKey: "sso", kind: "boolean", enabled: true },
    { featureKey: "support_tier", kind: "config", value: "dedicated" },
  ],
  usagePrices: [
    {
      meterKey: "llm_tokens",
      // Volume: the whole year's tokens at the price of the tier the total reaches.
      price: {
        model: "volume",
        includedQuantity: "0",
        tiers: [
          { upTo: "100000000", unitPrice: "0.0000018" },
          { upTo: "1000000000", unitPrice: "0.0000015" },
          { upTo: null, unitPrice: "0.0000012" },
        ],
      },
    },
    { meterKey: "agent_requests", price: { model: "package", packageSize: "10000", packagePrice: "5", includedQuantity: "1000000" } },
    {
      meterKey: "reviews",
      price: {
        model: "volume",
        includedQuantity: "0",
        tiers: [
          { upTo: "10000", unitPrice: "0.3" },
          { upTo: null, unitPrice: "0.2" },
        ],
      },
    },
  ],
};

const planSeeds: { key: string; name: string; description: string; versions: PlanVersionTermsInput[] }[] = [
  { key: "free", name: "Free", description: "For individual developers trying Tally.", versions: [freeTerms] },
  { key: "pro", name: "Pro", description: "Per seat, with an agent token allowance and billed overage.", versions: [proTerms(1), proTerms(2)] },
  { key: "team", name: "Team", description: "Per seat for teams, SSO and priority support.", versions: [teamTerms] },
  { key: "enterprise", name: "Enterprise", description: "Yearly, volume-priced usage.", versions: [enterpriseTerms] },
];

export type SeedCatalogResult = { created: number; existing: number };

/**
 * A realistic demo catalog for a developer-tools company. Idempotent: anything whose key
 * exists is left alone, and a plan that already has versions gets no new ones.
 */
export async function seedCatalog(db: Db, options: { clock?: Clock } = {}): Promise<SeedCatalogResult> {
  const clock = options.clock ?? systemClock;
  const context = { actor: systemActor("seed-catalog"), reason: "demo catalog", clock };
  const counts: SeedCatalogResult = { created: 0, existing: 0 };
  return db.transaction(async (tx) => {
    const productIds = new Map<string, string>();
    for (const seed of productSeeds) {
      const [existing] = await tx.select({ id: products.id }).from(products).where(eq(products.key, seed.key));
      productIds.set(seed.key, existing?.id ?? (await createProduct(tx, context, seed)).id);
      counts[existing ? "existing" : "created"] += 1;
    }
    for (const { productKey, ...seed } of meterSeeds) {
      const [existing] = await tx.select({ id: meters.id }).from(meters).where(eq(meters.key, seed.key));
      if (!existing) await createMeter(tx, context, { ...seed, productId: productIds.get(productKey) ?? null });
      counts[existing ? "existing" : "created"] += 1;
    }
    for (const { productKey, ...seed } of featureSeeds) {
      const [existing] = await tx.select({ id: features.id }).from(features).where(eq(features.key, seed.key));
      if (!existing) await createFeature(tx, context, { ...seed, productId: productIds.get(productKey) ?? null });
      counts[existing ? "existing" : "created"] += 1;
    }
    for (const seed of planSeeds) await seedPlan(tx, context, seed, counts);
    return counts;
  });
}

async function seedPlan(
  db: Db,
  context: CatalogMutationContext & { clock: Clock },
  seed: (typeof planSeeds)[number],
  counts: SeedCatalogResult,
): Promise<void> {
  const [existing] = await db.select({ id: plans.id }).from(plans).where(eq(plans.key, seed.key));
  const planId = existing?.id ?? (await createPlan(db, context, { key: seed.key, name: seed.name, description: seed.description })).id;
  counts[existing ? "existing" : "created"] += 1;
  const [anyVersion] = await db.select({ id: planVersions.id }).from(planVersions).where(eq(planVersions.planId, planId)).limit(1);
  if (anyVersion) return;
  for (const terms of seed.versions) {
    const draft = await createPlanVersion(db, context, { planId, terms });
    await publishPlanVersion(db, context, { planVersionId: draft.id });
    counts.created += 1;
  }
}
