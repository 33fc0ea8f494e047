import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "@/server/clock";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { seedCustomers } from "@/server/customers/seed-customers";
import { seedSubscriptions } from "@/server/customers/seed-subscriptions";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { syncDemoSubscriptions } from "./start-local-stripe";
import { startStripeTestbed, type StripeTestbed } from "./test-support";

let database: TestDatabase;
let testbed: StripeTestbed;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  testbed = await startStripeTestbed(async () => new Response(null, { status: 200 }));
  await seedCustomers(database.db);
  await seedCatalog(database.db);
  await seedSubscriptions(database.db, systemClock);
});
afterAll(async () => {
  await testbed?.close();
  await database?.drop();
});

describe("the development server's demo sync to the local Stripe", () => {
  it("gives every customer its card before the subscription, so no first invoice fails", async () => {
    const synced = await syncDemoSubscriptions(database.db, testbed.stripe, systemClock, 12);
    expect(synced).toBe(12);
    const invoices = await testbed.stripe.invoices.list({ limit: 100 });
    const charged = invoices.data.filter((invoice) => invoice.amount_due > 0);
    expect(charged.length).toBeGreaterThan(0);
    // Before the fix about nine in ten of these were `open` (payment failed: no payment method), i.e. in dunning.
    expect(charged.filter((invoice) => invoice.status !== "paid").map((invoice) => [invoice.id, invoice.status])).toEqual([]);
    const subscriptions = await testbed.stripe.subscriptions.list({ limit: 100 });
    expect(subscriptions.data.filter((subscription) => subscription.status === "past_due" || subscription.status === "incomplete")).toEqual([]);
  });
});
