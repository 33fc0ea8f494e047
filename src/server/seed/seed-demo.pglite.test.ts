import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { getMigrationStatus } from "@/db/migrate";
import { systemClock } from "@/server/clock";
import { getCustomer } from "@/server/customers/get-customer";
import { listCustomers } from "@/server/customers/list-customers";
import { planSimulationRuns } from "@/db/schema";
import { listPlanSimulationResults } from "@/server/invoicing/list-plan-simulation-results";
import { listCustomerNotesView } from "@/server/customers/list-customer-notes-view";
import { listApiRequestsView } from "@/server/http/list-api-requests-view";
import { listWebhookEventsView } from "@/server/stripe/list-webhook-events-view";
import { seedDemo } from "./seed-demo";
import { createPgliteTestDatabase } from "@/test/database";

/** The embedded default (`npm run dev` without DATABASE_URL): same migrations, same seed, same domain code. */
let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createPgliteTestDatabase();
  await seedDemo({ db: handle.db, clock: systemClock, log: () => {} });
}, 180_000);
afterAll(async () => {
  await handle.close();
});

describe("demo data on PGlite", () => {
  it("migrates fully", async () => {
    expect((await getMigrationStatus(handle)).current).toBe(true);
  });

  it("holds at least 200 customers, individuals and teams, and search finds them", async () => {
    const all: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const result = await listCustomers(handle.db, { limit: 100, cursor });
      all.push(...result.items.map((customer) => customer.kind));
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    expect(all.length).toBeGreaterThanOrEqual(200);
    expect(all.filter((kind) => kind === "team").length).toBeGreaterThan(20);
    expect(all.filter((kind) => kind === "individual").length).toBeGreaterThan(100);

    const found = await listCustomers(handle.db, { search: "LOVELACE", limit: 10 });
    expect(found.items.length).toBeGreaterThan(0);
    for (const customer of found.items) expect(customer.name.toLowerCase()).toContain("lovelace");
    const byExternalId = await getCustomer(handle.db, found.items[0]!.externalId);
    expect(byExternalId.id).toBe(found.items[0]!.id);
  });

  it("holds one finished plan simulation (Pro v2 on Pro v1's customers) whose results page and sort", async () => {
    const runs = await handle.db.select().from(planSimulationRuns);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "succeeded", errorCode: null });
    expect(runs[0]!.subscriptionsDone).toBeGreaterThan(0);
    const page = await listPlanSimulationResults(handle.db, { runId: runs[0]!.id, sort: "difference", direction: "desc", limit: 5 });
    expect(page.items.length).toBe(Math.min(5, runs[0]!.subscriptionsDone));
    expect(runs[0]!.increaseCount + runs[0]!.decreaseCount + runs[0]!.unchangedCount).toBe(runs[0]!.subscriptionsDone);
  });

  it("gives the first customer of the list more than a page of notes, API requests and Stripe events", async () => {
    const [first] = (await listCustomers(handle.db, { limit: 1 })).items;
    const pages = await Promise.all([
      listCustomerNotesView(handle.db, { customerId: first!.id, limit: 50 }),
      listApiRequestsView(handle.db, { customerId: first!.id, limit: 50 }),
      listWebhookEventsView(handle.db, { customerId: first!.id, limit: 50 }),
    ]);
    for (const page of pages) {
      expect(page.items).toHaveLength(50);
      expect(page.nextCursor).not.toBeNull();
    }
  });

  it("is idempotent: seeding again adds nothing", async () => {
    const before = await listCustomers(handle.db, { limit: 100 });
    await seedDemo({ db: handle.db, clock: systemClock, log: () => {} });
    const after = await listCustomers(handle.db, { limit: 100 });
    expect(after.items.map((customer) => customer.id)).toEqual(before.items.map((customer) => customer.id));
  });
});
