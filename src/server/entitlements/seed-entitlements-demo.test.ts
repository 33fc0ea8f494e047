import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { sql } from "drizzle-orm";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { fixedClock } from "@/server/clock";
import { seedCustomers } from "@/server/customers/seed-customers";
import { seedSubscriptions } from "@/server/customers/seed-subscriptions";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { listEntitlements } from "./list-entitlements";
import { seedEntitlementsDemo } from "./seed-entitlements-demo";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
});
afterAll(async () => {
  await database.drop();
});

describe("seedEntitlementsDemo", () => {
  it("leaves demo customers near and over their limits, idempotently", async () => {
    const clock = fixedClock(new Date());
    await seedCustomers(database.db);
    await seedCatalog(database.db);
    await seedSubscriptions(database.db, clock);
    await seedEntitlementsDemo(database.db, clock);
    const second = await seedEntitlementsDemo(database.db, clock);
    expect(second).not.toMatch(/[1-9]\d* new events/);
    const rows = await executeRows<{ customer_id: string }>(database.db, sql`select distinct customer_id from usage_events where source = 'seed/entitlements'`);
    expect(rows).toHaveLength(4);
    const reasons = new Set<string>();
    for (const row of rows) {
      const view = await listEntitlements(database.db, { customerId: row.customer_id }, { clock });
      for (const feature of view.features) reasons.add(feature.reason);
    }
    expect(reasons).toContain("allowance_exhausted");
    expect(reasons).toContain("spend_limit_reached");
  });
});
