import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { customers, planVersions, plans, subscriptions } from "@/db/schema";
import type { Clock } from "@/server/clock";
import { seededRandom } from "@/server/seed/random";

const dayMs = 24 * 60 * 60 * 1000;

/**
 * Puts every demo customer without a subscription on a plan: individuals mostly on Free or Pro
 * (older ones still on Pro v1), teams on Team with 3–40 seats, a few on Enterprise, and a few
 * Pro customers in their trial. Anchors are spread over the past year so periods differ.
 */
export async function seedSubscriptions(db: Db, clock: Clock): Promise<number> {
  const random = seededRandom(4242);
  const versions = await db
    .select({ id: planVersions.id, planKey: plans.key, version: planVersions.version, trialDays: planVersions.trialDays })
    .from(planVersions)
    .innerJoin(plans, eq(plans.id, planVersions.planId))
    .where(inArray(planVersions.status, ["published", "archived"]));
  const latest = (planKey: string) =>
    versions.filter((version) => version.planKey === planKey).sort((a, b) => b.version - a.version)[0];
  const oldest = (planKey: string) =>
    versions.filter((version) => version.planKey === planKey).sort((a, b) => a.version - b.version)[0];
  const unsubscribed = await db
    .select({ id: customers.id, kind: customers.kind, externalId: customers.externalId })
    .from(customers)
    .leftJoin(subscriptions, eq(subscriptions.customerId, customers.id))
    .where(and(isNull(subscriptions.id)))
    .orderBy(customers.externalId);
  const now = clock.now().getTime();
  const rows: (typeof subscriptions.$inferInsert)[] = [];
  for (const customer of unsubscribed) {
    const roll = random.next();
    const ageDays = random.int(20, 360);
    const anchor = new Date(Math.floor((now - ageDays * dayMs) / 3_600_000) * 3_600_000);
    let choice: { id: string; trialDays: number } | undefined;
    let seats = 1;
    if (customer.kind === "team") {
      choice = roll < 0.15 ? latest("enterprise") : latest("team");
      seats = random.int(3, 40);
    } else if (roll < 0.45) {
      choice = latest("free");
    } else {
      choice = ageDays > 200 ? oldest("pro") : latest("pro");
    }
    if (!choice) continue;
    const inTrial = customer.kind === "individual" && roll > 0.93 && choice.trialDays > 0;
    const trialAnchor = inTrial ? new Date(now - random.int(1, Math.max(1, choice.trialDays - 1)) * dayMs) : anchor;
    rows.push({
      customerId: customer.id,
      planVersionId: choice.id,
      status: inTrial ? "trialing" : "active",
      seats,
      billingAnchor: trialAnchor,
      trialEnd: inTrial ? new Date(trialAnchor.getTime() + choice.trialDays * dayMs) : null,
      spendLimitMicros: customer.kind === "individual" && roll > 0.8 ? BigInt(random.int(2, 20)) * 10_000_000n : null,
      // Some limited customers asked to be warned later and more often than the default 50/80/100.
      ...(customer.kind === "individual" && roll > 0.9 ? { spendWarningThresholdsPercent: [75, 90, 95, 100] } : {}),
      createdAt: anchor,
      updatedAt: anchor,
    });
  }
  for (let start = 0; start < rows.length; start += 500) {
    await db.insert(subscriptions).values(rows.slice(start, start + 500)).onConflictDoNothing();
  }
  return rows.length;
}
