import crypto from "node:crypto";
import { asc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { creditBurns, customers, promotions, type Customer } from "@/db/schema";
import { systemActor, type Actor } from "@/server/audit/actor";
import type { Clock } from "@/server/clock";
import { burnGrants } from "@/server/grants/burn-grants";
import { expireGrants } from "@/server/grants/expire-grants";
import { issueGrant } from "@/server/grants/issue-grant";
import { requestCredit } from "@/server/grants/request-credit";
import { getUserByEmail } from "@/server/users/get-user";
import { createPromotion } from "./create-promotion";
import type { CreatePromotionInput } from "./promotion-schemas";
import { redeemPromotionCode } from "./redeem-promotion-code";
import { setPromotionStatus } from "./set-promotion-status";

const dayMs = 86_400_000;
const usd = (dollars: bigint) => dollars * 1_000_000n;

/** A uuid derived from a name, so seeded request ids are the same on every run (idempotent). */
function stableUuid(name: string): string {
  const hex = crypto.createHash("sha256").update(name).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Demo promotions, redemptions and credits: LAUNCH50 ($50 credit), AGENT20 (20% off the agent
 * for 3 periods), TOKENS1M (+1M tokens for 2 periods); goodwill credits from support (some
 * expired, one waiting for approval above the support limit); some usage burned. Idempotent: promotions by name, everything else by idempotency key.
 */
export async function seedPromotionsDemo(db: Db, clock: Clock): Promise<string> {
  const now = clock.now();
  const productActor = await userActor(db, "product@tally.test");
  const supportActor = await userActor(db, "support@tally.test");
  const list = await db.select().from(customers).orderBy(asc(customers.externalId)).limit(240);
  const individuals = list.filter((customer) => customer.kind === "individual");
  const teams = list.filter((customer) => customer.kind === "team");
  if (individuals.length < 30 || teams.length < 2) return "skipped (needs the demo customers)";
  const start = new Date(now.getTime() - 45 * dayMs);

  const launch = await ensurePromotion(db, productActor, clock, {
    name: "Launch week: $50 credit",
    description: "Public launch offer, shared on social media.",
    startsAt: start,
    effect: { type: "credit", amountMicros: "50000000", currency: "usd", expiryDays: 90 },
    maxRedemptions: 1000,
    sharedCode: "LAUNCH50",
  });
  const agent = await ensurePromotion(db, productActor, clock, {
    name: "Agent 20% off for 3 months",
    startsAt: start,
    effect: { type: "discount", productKey: "agent", percentBasisPoints: 2000, fixedMicros: null, currency: "usd", periods: 3 },
    eligibility: { planKeys: ["pro", "team"] },
    sharedCode: "AGENT20",
  });
  const tokens = await ensurePromotion(db, productActor, clock, {
    name: "+1M agent tokens for 2 periods",
    startsAt: start,
    effect: { type: "allowance", featureKey: "agent_tokens", meterKey: "llm_tokens", quantityPerPeriod: "1000000", periods: 2 },
    maxRedemptions: 500,
    sharedCode: "TOKENS1M",
  });
  await ensurePromotion(db, productActor, clock, {
    name: "Spring campaign (draft)",
    startsAt: new Date(now.getTime() + 30 * dayMs),
    effect: { type: "credit", amountMicros: "20000000", currency: "usd", expiryDays: 30 },
    sharedCode: "SPRING20",
  }, false);

  let redeemed = 0;
  const redeem = async (customer: Customer, code: string, daysAgo: number) => {
    const result = await redeemPromotionCode(db, {
      customerId: customer.id,
      code,
      idempotencyKey: `seed:${code}:${customer.externalId}`,
      actor: supportActor,
      at: new Date(now.getTime() - daysAgo * dayMs),
    });
    if (result.redeemed) redeemed++;
  };
  for (const [index, customer] of individuals.slice(0, 12).entries()) await redeem(customer, "LAUNCH50", 40 - index * 3);
  for (const customer of [...individuals.slice(12, 16), teams[0]!]) await redeem(customer, "AGENT20", 10);
  for (const customer of individuals.slice(16, 19)) await redeem(customer, "TOKENS1M", 5);

  // Some of the launch credit has paid for usage already.
  for (const [index, customer] of individuals.slice(0, 8).entries()) {
    // The burn's time is part of its content: a re-run (a later "now") must not try it again.
    const [done] = await db.select({ id: creditBurns.id }).from(creditBurns).where(eq(creditBurns.idempotencyKey, `seed:burn:${customer.externalId}`));
    if (done) continue;
    await burnGrants(
      db,
      { customerId: customer.id, currency: "usd", amountMicros: usd(BigInt(5 + index * 4)), scope: { productKey: "agent", meterKey: "llm_tokens" }, at: new Date(now.getTime() - dayMs), idempotencyKey: `seed:burn:${customer.externalId}`, actor: systemActor("seed") },
      { clock },
    );
  }

  // Goodwill from support: within the limit, one above it (waits for finance), and old ones that expired.
  for (const [index, customer] of individuals.slice(20, 25).entries()) {
    await requestCredit(db, supportActor, "support", clock, {
      customerId: customer.id,
      amountMicros: usd(BigInt(10 + index * 15)),
      reason: ["Outage on the agent API", "Double charge refund as credit", "Slow support response", "Onboarding help", "Billing confusion"][index]!,
      requestId: stableUuid(`seed:goodwill:${customer.externalId}`),
    });
  }
  await requestCredit(db, supportActor, "support", clock, {
    customerId: individuals[25]!.id,
    amountMicros: usd(250n),
    reason: "Lost a day of work to the March outage; asks for a month of usage back",
    requestId: stableUuid("seed:goodwill:large"),
  });
  for (const [index, customer] of individuals.slice(26, 29).entries()) {
    await issueGrant(db, supportActor, clock, {
      customerId: customer.id,
      amountMicros: usd(BigInt(15 + index * 5)),
      category: "goodwill",
      effectiveAt: new Date(now.getTime() - 120 * dayMs),
      expiresAt: new Date(now.getTime() - (30 - index * 10) * dayMs),
      source: "support",
      reason: "Goodwill for an earlier incident",
      idempotencyKey: `seed:goodwill-expired:${customer.externalId}`,
    });
  }
  // The team's $1,000 prepaid credit is bought through purchaseCredits (invoiced): src/server/invoicing/seed-credit-purchases.ts.
  const expired = await expireGrants(db, clock);
  return `${[launch, agent, tokens].length} live promotions, ${redeemed} redemptions, ${expired.grantsExpired} grants expired`;
}

async function userActor(db: Db, email: string): Promise<Actor> {
  const user = await getUserByEmail(db, email);
  return user ? { type: "user", id: user.id, label: user.email } : systemActor("seed");
}

async function ensurePromotion(db: Db, actor: Actor, clock: Clock, input: CreatePromotionInput, activate = true): Promise<string> {
  const [existing] = await db.select({ id: promotions.id }).from(promotions).where(eq(promotions.name, input.name)).limit(1);
  if (existing) return existing.id;
  const promotion = await createPromotion(db, actor, clock, input);
  if (activate) await setPromotionStatus(db, actor, clock, { promotionId: promotion.id, status: "active" });
  return promotion.id;
}
