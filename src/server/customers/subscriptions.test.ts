import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, customers } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { getCurrentPlanVersion } from "@/server/catalog/get-current-plan-version";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { fixedClock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { createSubscription } from "./create-subscription";
import { getLiveSubscription } from "./get-subscription";
import { seedCustomers } from "./seed-customers";
import { seedSubscriptions } from "./seed-subscriptions";
import { setSpendLimit } from "./set-spend-limit";

let database: TestDatabase;
const clock = fixedClock("2026-03-31T12:00:00Z");
const actor = systemActor("test");

beforeAll(async () => {
  database = await createTestDatabase();
  await seedCustomers(database.db, 30);
  await seedCatalog(database.db);
});
afterAll(async () => {
  await database.drop();
});

async function customerId(index: number): Promise<string> {
  const rows = await database.db.select({ id: customers.id }).from(customers).orderBy(customers.externalId);
  return rows[index]!.id;
}

describe("subscriptions", () => {
  it("subscribes a customer with the plan's trial and computes the current period from the anchor", async () => {
    const pro = await getCurrentPlanVersion(database.db, "pro");
    const id = await customerId(0);
    const created = await createSubscription(database.db, actor, clock, { customerId: id, planVersionId: pro.id, seats: 2 });
    expect(created.status).toBe(pro.trialDays > 0 ? "trialing" : "active");
    const view = await getLiveSubscription(database.db, id, new Date("2026-05-02T00:00:00Z"));
    expect(view?.currentPeriod.start.toISOString()).toBe("2026-04-30T12:00:00.000Z");
    expect(view?.currentPeriod.end.toISOString()).toBe("2026-05-31T12:00:00.000Z");
    const audit = await database.db.select().from(auditLog).where(eq(auditLog.action, "subscription.create"));
    expect(audit.map((entry) => entry.objectId)).toContain(id);
  });

  it("refuses a second live subscription with a code, and writes nothing", async () => {
    const free = await getCurrentPlanVersion(database.db, "free");
    const id = await customerId(0);
    const error = await createSubscription(database.db, actor, clock, { customerId: id, planVersionId: free.id, seats: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("subscription_exists");
    const view = await getLiveSubscription(database.db, id, clock.now());
    expect(view?.plan.key).toBe("pro");
  });

  it("sets and removes a spend limit, audited with the reason", async () => {
    const id = await customerId(0);
    await setSpendLimit(database.db, actor, clock, { customerId: id, spendLimitMicros: 50_000_000n, reason: "customer asked for a cap" });
    expect((await getLiveSubscription(database.db, id, clock.now()))?.subscription.spendLimitMicros).toBe(50_000_000n);
    await setSpendLimit(database.db, actor, clock, { customerId: id, spendLimitMicros: null, reason: "cap removed" });
    expect((await getLiveSubscription(database.db, id, clock.now()))?.subscription.spendLimitMicros).toBeNull();
    const error = await setSpendLimit(database.db, actor, clock, { customerId: await customerId(1), spendLimitMicros: 1n, reason: "x" }).catch((caught: unknown) => caught);
    expect((error as DomainError).code).toBe("no_live_subscription");
  });

  it("seeds a plan for every customer once", async () => {
    const first = await seedSubscriptions(database.db, clock);
    expect(first).toBe(29); // the 30 seeded customers less the one subscribed above
    expect(await seedSubscriptions(database.db, clock)).toBe(0);
  });
});
