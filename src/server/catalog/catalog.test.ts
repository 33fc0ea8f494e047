import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresError } from "@/db/errors";
import { executeRows } from "@/db/execute";
import { auditLog } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { isDomainError, type DomainError } from "@/server/errors";
import { ratePeriod } from "@/server/pricing/rate-period";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { archivePlanVersion } from "./archive-plan-version";
import { createFeature } from "./create-feature";
import { createMeter } from "./create-meter";
import { createPlan } from "./create-plan";
import { createPlanVersion } from "./create-plan-version";
import { createProduct } from "./create-product";
import { getCurrentPlanVersion } from "./get-current-plan-version";
import { getPlanVersion } from "./get-plan-version";
import { listPlans } from "./list-plans";
import { publishPlanVersion } from "./publish-plan-version";
import { seedCatalog } from "./seed-catalog";
import { updatePlanVersionDraft } from "./update-plan-version-draft";
import { planVersionIssueCodes } from "./validate-plan-version";

let database: TestDatabase;
const clock = fixedClock("2026-03-01T00:00:00Z");
const actor: Actor = { type: "user", id: "user_product", label: "pat@tally.dev" };
const context = { actor, reason: "test", clock };

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
});
afterAll(async () => {
  await database.drop();
});

async function domainError(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isDomainError(error)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

const baseTerms = {
  currency: "usd",
  billingInterval: "month" as const,
  baseFeePerSeatMicros: "10000000",
  trialDays: 0,
  entitlements: [],
  usagePrices: [{ meterKey: "t_calls", price: { model: "per_unit" as const, unitPrice: "0.001" } }],
};

describe("catalog building blocks", () => {
  it("create products, meters and features, refuse duplicate keys, and audit each creation", async () => {
    const product = await createProduct(database.db, context, { key: "t_product", name: "Test product" });
    await createMeter(database.db, context, {
      key: "t_calls",
      name: "Calls",
      productId: product.id,
      eventType: "test.call",
      aggregation: "count",
    });
    await createMeter(database.db, context, {
      key: "t_tokens",
      name: "Tokens",
      eventType: "test.tokens",
      aggregation: "sum",
      valuePath: "usage.input_tokens",
      filters: [{ property: "kind", operator: "in", values: ["live", "batch"] }],
      groupBy: ["model"],
    });
    await createFeature(database.db, context, { key: "t_tokens", name: "Tokens", kind: "metered", productId: product.id });
    await createFeature(database.db, context, { key: "t_sso", name: "SSO", kind: "boolean" });

    expect((await domainError(createProduct(database.db, context, { key: "t_product", name: "Again" }))).code).toBe("product_key_taken");
    expect((await domainError(createMeter(database.db, context, { key: "t_calls", name: "x", eventType: "x", aggregation: "count" }))).code).toBe(
      "meter_key_taken",
    );
    const badMeter = await domainError(
      createMeter(database.db, context, { key: "t_bad", name: "Bad", eventType: "x", aggregation: "sum" }),
    );
    expect([badMeter.code, badMeter.kind]).toEqual(["invalid_input", "invalid"]);

    const audited = await database.db
      .select({ action: auditLog.action, actorId: auditLog.actorId })
      .from(auditLog)
      .where(eq(auditLog.objectType, "meter"));
    expect(audited).toEqual([
      { action: "catalog.meter.create", actorId: "user_product" },
      { action: "catalog.meter.create", actorId: "user_product" },
    ]);
  });
});

describe("plan versions", () => {
  let planId: string;
  let v1: string;

  it("draft → publish → the draft's terms are frozen, in code and in the database", async () => {
    planId = (await createPlan(database.db, context, { key: "t_plan", name: "Test plan" })).id;
    const draft = await createPlanVersion(database.db, context, { planId, terms: baseTerms });
    expect([draft.version, draft.status, draft.baseFeePerSeatMicros]).toEqual([1, "draft", 10_000_000n]);
    expect((await domainError(createPlanVersion(database.db, context, { planId, terms: baseTerms }))).code).toBe("draft_exists");

    const edited = await updatePlanVersionDraft(database.db, context, { planVersionId: draft.id, terms: { trialDays: 14 } });
    expect(edited.trialDays).toBe(14);

    const published = await publishPlanVersion(database.db, context, { planVersionId: draft.id });
    v1 = published.id;
    expect([published.status, published.publishedAt?.toISOString()]).toEqual(["published", "2026-03-01T00:00:00.000Z"]);

    const again = await domainError(publishPlanVersion(database.db, context, { planVersionId: v1 }));
    expect(again.code).toBe("plan_version_not_draft");
    const edit = await domainError(updatePlanVersionDraft(database.db, context, { planVersionId: v1, terms: { trialDays: 0 } }));
    expect([edit.code, edit.kind]).toEqual(["plan_version_not_draft", "conflict"]);

    const rawUpdate = await executeRows(
      database.db,
      sql`update catalog_plan_versions set base_fee_per_seat_micros = 1 where id = ${v1}`,
    ).catch((error: unknown) => error);
    expect(postgresError(rawUpdate)?.message).toMatch(/immutable/);
    const rawPrices = await executeRows(
      database.db,
      sql`update catalog_plan_versions set usage_prices = '[]'::jsonb where id = ${v1}`,
    ).catch((error: unknown) => error);
    expect(postgresError(rawPrices)?.message).toMatch(/immutable/);
    const rawBackToDraft = await executeRows(
      database.db,
      sql`update catalog_plan_versions set status = 'draft' where id = ${v1}`,
    ).catch((error: unknown) => error);
    expect(postgresError(rawBackToDraft)?.message).toMatch(/cannot go from published to draft/);
    const rawDelete = await executeRows(database.db, sql`delete from catalog_plan_versions where id = ${v1}`).catch(
      (error: unknown) => error,
    );
    expect(postgresError(rawDelete)?.message).toMatch(/cannot be deleted/);
    // The Stripe sync may still fill in its ids.
    await executeRows(database.db, sql`update catalog_plan_versions set stripe_price_id = 'price_123' where id = ${v1}`);
    expect((await getPlanVersion(database.db, v1)).stripePriceId).toBe("price_123");

    const actions = await database.db
      .select({ action: auditLog.action, before: auditLog.before, after: auditLog.after })
      .from(auditLog)
      .where(and(eq(auditLog.objectType, "plan_version"), eq(auditLog.objectId, v1)));
    expect(actions.map((entry) => entry.action)).toEqual([
      "catalog.plan_version.create",
      "catalog.plan_version.update_draft",
      "catalog.plan_version.publish",
    ]);
    expect(actions[2]?.after).toMatchObject({ status: "published", baseFeePerSeatMicros: "10000000" });
  });

  it("customers stay on their version: a new version and archiving the old leave it intact", async () => {
    await executeRows(
      database.db,
      sql`create table t_subscriptions (id int primary key, plan_version_id uuid not null references catalog_plan_versions(id))`,
    );
    await executeRows(database.db, sql`insert into t_subscriptions values (1, ${v1})`);

    const draft = await createPlanVersion(database.db, context, { planId, fromVersionId: v1 });
    const v2 = await updatePlanVersionDraft(database.db, context, { planVersionId: draft.id, terms: { baseFeePerSeatMicros: 12_000_000n } });
    await publishPlanVersion(database.db, context, { planVersionId: v2.id });
    clock.advanceMs(86_400_000);
    const archived = await archivePlanVersion(database.db, context, { planVersionId: v1 });
    expect(archived.status).toBe("archived");
    expect((await domainError(archivePlanVersion(database.db, context, { planVersionId: v1 }))).code).toBe("plan_version_not_published");

    const [subscription] = await executeRows<{ plan_version_id: string }>(database.db, sql`select plan_version_id from t_subscriptions where id = 1`);
    const theirs = await getPlanVersion(database.db, subscription?.plan_version_id ?? "");
    expect([theirs.version, theirs.baseFeePerSeatMicros, theirs.trialDays, theirs.plan.key]).toEqual([1, 10_000_000n, 14, "t_plan"]);
    const current = await getCurrentPlanVersion(database.db, "t_plan");
    expect([current.version, current.baseFeePerSeatMicros]).toEqual([2, 12_000_000n]);

    const rawUnarchive = await executeRows(
      database.db,
      sql`update catalog_plan_versions set status = 'published' where id = ${v1}`,
    ).catch((error: unknown) => error);
    expect(postgresError(rawUnarchive)?.message).toMatch(/cannot go from archived to published/);
  });

  it("refuses to publish an invalid version, naming every problem", async () => {
    const draft = await createPlanVersion(database.db, context, {
      planId,
      terms: {
        currency: "eur", // the plan's published versions bill in usd
        billingInterval: "month",
        baseFeePerSeatMicros: 0n,
        trialDays: 0,
        entitlements: [
          { featureKey: "t_sso", kind: "boolean", enabled: true },
          { featureKey: "t_sso", kind: "boolean", enabled: false }, // duplicate_entitlement
          { featureKey: "t_missing", kind: "boolean", enabled: true }, // feature_not_found
          { featureKey: "t_tokens", kind: "boolean", enabled: true }, // feature_kind_mismatch (metered)
          { featureKey: "t_tokens", kind: "metered", meterKey: "t_nowhere", allowancePerPeriod: "-5", overage: "bill" },
          // ↑ duplicate_entitlement, entitlement_meter_not_found, overage_unpriced, allowance_invalid
        ],
        usagePrices: [
          { meterKey: "t_calls", price: { model: "graduated", tiers: [{ upTo: "10", unitPrice: "1" }, { upTo: "5", unitPrice: "1" }] } },
          { meterKey: "t_calls", price: { model: "package", packageSize: "0", packagePrice: "-1" } },
          { meterKey: "t_unknown", price: { model: "per_unit", unitPrice: "0.0000000000001" } },
          {
            meterKey: "t_tokens",
            price: {
              model: "per_unit",
              unitPrice: "0.000002",
              dimensionOverrides: { dimension: "region", prices: [{ value: "eu", price: { model: "per_unit", unitPrice: "0.000003" } }] },
            },
          },
        ],
      },
    });
    const refusal = await domainError(publishPlanVersion(database.db, context, { planVersionId: draft.id }));
    expect([refusal.code, refusal.kind]).toEqual(["plan_version_invalid", "invalid"]);
    const issues = (refusal.details?.issues ?? []) as { code: string; path: (string | number)[] }[];
    const codes = new Set(issues.map((issue) => issue.code));
    for (const code of planVersionIssueCodes) expect(codes, code).toContain(code);
    for (const code of ["tiers_not_increasing", "last_tier_bounded", "package_size_invalid", "negative_price", "too_many_decimal_places"]) {
      expect(codes, code).toContain(code);
    }
    expect(issues).toContainEqual(expect.objectContaining({ code: "tiers_not_increasing", path: ["usagePrices", 0, "price", "tiers", 1, "upTo"] }));
    expect((await getPlanVersion(database.db, draft.id)).status).toBe("draft");
  });

  it("lists plans with their versions, newest first", async () => {
    const page = await listPlans(database.db, { limit: 10 });
    const plan = page.plans.find((candidate) => candidate.key === "t_plan");
    expect(plan?.versions.map((version) => [version.version, version.status])).toEqual([
      [3, "draft"],
      [2, "published"],
      [1, "archived"],
    ]);
    expect(plan?.currentVersionId).toBe(plan?.versions[1]?.id);
  });
});

describe("seedCatalog", () => {
  it("builds the demo catalog once, publishes two Pro versions, and rates with it", async () => {
    const first = await seedCatalog(database.db, { clock });
    expect(first.created).toBeGreaterThan(15);
    const second = await seedCatalog(database.db, { clock });
    expect(second.created).toBe(0);

    const { plans } = await listPlans(database.db, { limit: 100 });
    const pro = plans.find((plan) => plan.key === "pro");
    expect(pro?.versions.map((version) => [version.version, version.status, version.baseFeePerSeatMicros])).toEqual([
      [2, "published", 24_000_000n],
      [1, "published", 20_000_000n],
    ]);
    expect(plans.map((plan) => plan.key)).toEqual(expect.arrayContaining(["free", "pro", "team", "enterprise"]));

    const current = await getCurrentPlanVersion(database.db, "pro");
    const rated = ratePeriod({
      prices: current.usagePrices,
      usage: [
        { meterKey: "llm_tokens", dimensions: { model: "opus" }, quantity: "1000000" },
        { meterKey: "reviews", dimensions: {}, quantity: "250" },
      ],
    });
    // Opus on Pro v2: 1,000,000 × $0.000012 = $12; reviews: (250 − 200 included) × $0.50 = $25.
    expect(rated.amountMicros).toBe(37_000_000n);
  });
});
