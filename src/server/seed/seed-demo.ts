import type { Db } from "@/db/client";
import { seedDemoApiKey } from "@/server/api-keys/seed-demo-api-key";
import type { Clock } from "@/server/clock";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { refreshCustomerSummaries } from "@/server/customers/refresh-customer-summaries";
import { seedCustomers } from "@/server/customers/seed-customers";
import { seedDemoUnknownSubjects } from "@/server/metering/seed-unknown-subjects";
import { seedPromotionsDemo } from "@/server/promotions/seed-promotions";
import { seedEntitlementsDemo } from "@/server/entitlements/seed-entitlements-demo";
import { seedDemoInvoices } from "@/server/invoicing/seed-demo-invoices";
import { seedCreditPurchases } from "@/server/invoicing/seed-credit-purchases";
import { seedPlanSimulationDemo } from "@/server/invoicing/seed-plan-simulation";
import { seedDunningDemo } from "@/server/dunning/seed-dunning-demo";
import { seedSubscriptions } from "@/server/customers/seed-subscriptions";
import { seedUsers } from "@/server/users/seed-users";
import { seedCustomerHistory } from "./seed-customer-history";
import { seedFinanceHistory } from "./seed-finance-history";
import { seedApiDemo } from "@/server/workflows/seed-api-demo";
import { seedAnomaliesDemo } from "@/server/anomalies/seed-anomalies-demo";
import { seedDemoPayments } from "@/server/stripe/seed-demo-payments";
import { seedDemoPayouts } from "@/server/stripe/seed-demo-payouts";

export type SeedContext = { db: Db; clock: Clock; log: (message: string) => void };
export type SeedStep = { name: string; run: (context: SeedContext) => Promise<string> };

/**
 * The demo data, in dependency order. Every step is idempotent (running the seed twice
 * changes nothing); each later capability adds its step here so that `npm run dev` shows it.
 */
export const seedSteps: SeedStep[] = [
  { name: "users", run: async ({ db }) => `${await seedUsers(db)} demo users` },
  {
    name: "demo API key",
    run: async ({ db }) =>
      process.env.NODE_ENV === "production"
        ? "skipped (never in production)"
        : (await seedDemoApiKey(db, { nodeEnv: process.env.NODE_ENV })) ? "created" : "already there",
  },
  { name: "customers", run: async ({ db }) => `${await seedCustomers(db)} customers` },
  { name: "catalog", run: async ({ db }) => JSON.stringify(await seedCatalog(db)) },
  { name: "subscriptions", run: async ({ db, clock }) => `${await seedSubscriptions(db, clock)} new subscriptions` },
  { name: "entitlements", run: ({ db, clock }) => seedEntitlementsDemo(db, clock) },
  { name: "promotions and credits", run: ({ db, clock }) => seedPromotionsDemo(db, clock) },
  { name: "credit purchases", run: ({ db, clock }) => seedCreditPurchases(db, clock) },
  { name: "usage and invoices", run: ({ db, clock }) => seedDemoInvoices(db, clock) },
  { name: "dunning", run: ({ db, clock }) => seedDunningDemo(db, clock) },
  { name: "payments", run: ({ db, clock }) => seedDemoPayments(db, clock) },
  { name: "unknown usage subjects", run: ({ db, clock }) => seedDemoUnknownSubjects(db, clock) },
  { name: "finance history and closed months", run: ({ db, clock }) => seedFinanceHistory(db, clock) },
  { name: "API and webhooks", run: ({ db, clock }) => seedApiDemo(db, clock) },
  // Plants four anomaly stories, then runs detection over everything seeded above (before the list summaries, which count its customers).
  { name: "anomalies", run: ({ db, clock }) => seedAnomaliesDemo(db, clock) },
  // The history's payouts were made before its months closed; this pays out what later steps collected.
  { name: "payouts", run: ({ db, clock }) => seedDemoPayouts(db, clock) },
  { name: "plan simulation", run: ({ db, clock }) => seedPlanSimulationDemo(db, clock) },
  // One customer's notes, API activity and Stripe events, each longer than a page of its list.
  { name: "customer history", run: ({ db, clock }) => seedCustomerHistory(db, clock) },
  { name: "customer list summaries", run: async ({ db, clock }) => `${(await refreshCustomerSummaries(db, clock.now())).customers} rows refreshed` },
];

export async function seedDemo(context: SeedContext): Promise<void> {
  for (const step of seedSteps) {
    const startedMs = Date.now();
    const summary = await step.run(context);
    context.log(`seed ${step.name}: ${summary} (${Date.now() - startedMs} ms)`);
  }
}
