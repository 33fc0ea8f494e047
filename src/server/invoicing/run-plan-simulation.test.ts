import { eq, sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customers, planSimulationResults, planSimulationRuns, planVersions, plans, type UsagePrice } from "@/db/schema";
import { exportListResponse } from "@/server/api/lists/export-list";
import { planSimulationResultsExport } from "@/server/api/lists/plan-simulation-lists";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { getPlanSimulation, listPlanSimulations } from "./list-plan-simulations";
import { listPlanSimulationResults, simulationResultSortKeys, type PlanSimulationResultRow, type SimulationResultSortKey } from "./list-plan-simulation-results";
import { claimPlanSimulationRun, runPlanSimulation } from "./run-plan-simulation";
import { listSimulatedSubscriptions, simulatePlanVersion } from "./simulate-plan-version";
import { startPlanSimulation } from "./start-plan-simulation";
import { createSubscribedCustomer, createTestCatalog, ingestAndRollUp, usageEvent, type TestCatalog } from "./test-fixtures";

const jan = (day: number, hour = 0) => new Date(Date.UTC(2026, 0, day, hour));
const feb = (day: number, hour = 0) => new Date(Date.UTC(2026, 1, day, hour));
const clock = fixedClock(feb(10));

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
});
afterAll(async () => {
  await database.drop();
});

/** A copy of the catalog's version with its own seat fee and request package price, as a draft to simulate. */
async function proposeVersion(catalog: TestCatalog, terms: { baseFeePerSeatMicros: bigint; packagePrice: string }): Promise<string> {
  const [current] = await database.db.select().from(planVersions).where(eq(planVersions.id, catalog.planVersionId));
  const usagePrices: UsagePrice[] = current!.usagePrices.map((usagePrice) =>
    usagePrice.meterKey === catalog.meterKeys.requests ? { meterKey: usagePrice.meterKey, price: { model: "package", packageSize: "100", packagePrice: terms.packagePrice, includedQuantity: "0" } } : usagePrice,
  );
  const [proposed] = await database.db
    .insert(planVersions)
    .values({ ...current!, id: undefined, version: 2, status: "draft", publishedAt: null, baseFeePerSeatMicros: terms.baseFeePerSeatMicros, usagePrices })
    .returning();
  return proposed!.id;
}

type Usage = { seats: number; requests: number; tokens: number; model: "sonnet" | "opus" };

/** Customers on the catalog's version with the given January usage, rolled up. */
async function subscribe(catalog: TestCatalog, usages: readonly Usage[], names?: readonly string[]) {
  const created = [];
  const events: Record<string, unknown>[] = [];
  for (const [index, usage] of usages.entries()) {
    const customer = await createSubscribedCustomer(database.db, { planVersionId: catalog.planVersionId, anchor: jan(1), seats: usage.seats });
    if (names) await database.db.update(customers).set({ name: names[index]! }).where(eq(customers.id, customer.customerId));
    created.push(customer);
    for (let request = 0; request < usage.requests; request++) events.push(usageEvent(catalog.eventTypes.request, customer.externalId, jan(10, request % 24), {}));
    if (usage.tokens > 0) events.push(usageEvent(catalog.eventTypes.tokens, customer.externalId, jan(11), { model: usage.model, tokens: usage.tokens }));
  }
  await ingestAndRollUp(database.db, events, fixedClock(feb(1, 1)));
  return created;
}

async function storedResults(runId: string): Promise<PlanSimulationResultRow[]> {
  const page = await listPlanSimulationResults(database.db, { runId, sort: "customer", limit: 1000 });
  return page.items;
}

const usageArbitrary = fc.record({
  seats: fc.integer({ min: 1, max: 3 }),
  requests: fc.integer({ min: 0, max: 250 }),
  tokens: fc.integer({ min: 0, max: 3000 }),
  model: fc.constantFrom("sonnet" as const, "opus" as const),
});

describe("runPlanSimulation", () => {
  it("over several batches stores, per customer and in total, exactly what one simulatePlanVersion over the same subscriptions computes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(usageArbitrary, { minLength: 1, maxLength: 9 }),
        fc.integer({ min: 1, max: 4 }),
        fc.record({ baseFeePerSeatMicros: fc.oneof(fc.constant(10_000_000n), fc.bigInt({ min: 0n, max: 30_000_000n })), packagePrice: fc.constantFrom("0", "0.5", "1", "2.25") }),
        async (usages, batchSize, terms) => {
          const catalog = await createTestCatalog(database.db);
          const proposedVersionId = await proposeVersion(catalog, terms);
          await subscribe(catalog, usages);
          const { run, created } = await startPlanSimulation(database.db, { currentVersionId: catalog.planVersionId, proposedVersionId, requestedBy: "product@tally.test" }, { clock });
          expect(created).toBe(true);
          const outcome = await runPlanSimulation(database.db, { runId: run.id }, { batchSize });
          expect(outcome).toMatchObject({ status: "succeeded", subscriptions: usages.length, batches: Math.ceil(usages.length / batchSize) });

          const all = await listSimulatedSubscriptions(database.db, { planVersionId: catalog.planVersionId, afterSubscriptionId: null, limit: 1000 });
          const expected = await simulatePlanVersion(database.db, { currentVersionId: catalog.planVersionId, proposedVersionId, subscriptions: all }, { now: clock.now() });
          const stored = await getPlanSimulation(database.db, { runId: run.id });
          expect(stored).toMatchObject({
            status: "succeeded",
            currency: "usd",
            subscriptionsExpected: usages.length,
            subscriptionsDone: usages.length,
            currentMicros: expected.currentMicros,
            proposedMicros: expected.proposedMicros,
            differenceMicros: expected.differenceMicros,
            increaseCount: expected.counts.increase,
            decreaseCount: expected.counts.decrease,
            unchangedCount: expected.counts.unchanged,
            errorCode: null,
          });
          const bySubscription = (left: { subscriptionId: string }, right: { subscriptionId: string }) => (left.subscriptionId < right.subscriptionId ? -1 : 1);
          expect((await storedResults(run.id)).sort(bySubscription).map((row) => [row.subscriptionId, row.customerId, row.periodStart, row.currentMicros, row.proposedMicros])).toEqual(
            [...expected.customers].sort(bySubscription).map((line) => [line.subscriptionId, line.customerId, line.period.start, line.currentMicros, line.proposedMicros]),
          );
        },
      ),
      { numRuns: 5 },
    );
  });

  it("is computed once when two workers claim the same run at once; a run whose worker went quiet is claimed again and finished", async () => {
    const catalog = await createTestCatalog(database.db);
    const proposedVersionId = await proposeVersion(catalog, { baseFeePerSeatMicros: 20_000_000n, packagePrice: "2" });
    await subscribe(catalog, Array.from({ length: 7 }, (_, index) => ({ seats: 1, requests: index * 30, tokens: 0, model: "sonnet" as const })));
    const { run } = await startPlanSimulation(database.db, { currentVersionId: catalog.planVersionId, proposedVersionId, requestedBy: "product@tally.test" }, { clock });
    // A second start of the same pair while it is queued is the same run.
    expect((await startPlanSimulation(database.db, { currentVersionId: catalog.planVersionId, proposedVersionId, requestedBy: "admin@tally.test" }, { clock })).run.id).toBe(run.id);

    const outcomes = await Promise.all([runPlanSimulation(database.db, { runId: run.id }, { batchSize: 2 }), runPlanSimulation(database.db, { runId: run.id }, { batchSize: 2 })]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(["nothing_to_claim", "succeeded"]);
    const [row] = await database.db.select().from(planSimulationRuns).where(eq(planSimulationRuns.id, run.id));
    expect(row).toMatchObject({ status: "succeeded", attempt: 1, subscriptionsDone: 7 });
    expect(await storedResults(run.id)).toHaveLength(7);

    // A worker claims the next run, writes nothing and dies: once its heartbeat is stale, another claims it (attempt 2) and finishes.
    const next = await startPlanSimulation(database.db, { currentVersionId: catalog.planVersionId, proposedVersionId, requestedBy: "product@tally.test" }, { clock: fixedClock(feb(10, 1)) });
    expect(next.created).toBe(true);
    expect(await claimPlanSimulationRun(database.db, { runId: next.run.id })).toMatchObject({ attempt: 1 });
    expect(await runPlanSimulation(database.db, { runId: next.run.id })).toEqual({ status: "nothing_to_claim" });
    await database.db.update(planSimulationRuns).set({ heartbeatAt: sql`now() - interval '10 minutes'` }).where(eq(planSimulationRuns.id, next.run.id));
    expect(await runPlanSimulation(database.db, { runId: next.run.id }, { batchSize: 3 })).toMatchObject({ status: "succeeded", subscriptions: 7 });
    expect(await getPlanSimulation(database.db, { runId: next.run.id })).toMatchObject({ status: "succeeded", subscriptionsDone: 7, differenceMicros: row!.differenceMicros });
    expect((await listPlanSimulations(database.db, { proposedVersionId, limit: 1 })).items.map((item) => item.id)).toEqual([next.run.id]);
  });

  it("marks a run that cannot be computed failed with the code and words, and refuses to start incompatible versions", async () => {
    const catalog = await createTestCatalog(database.db);
    const proposedVersionId = await proposeVersion(catalog, { baseFeePerSeatMicros: 20_000_000n, packagePrice: "2" });
    await subscribe(catalog, [{ seats: 1, requests: 10, tokens: 0, model: "sonnet" }]);
    const { run } = await startPlanSimulation(database.db, { currentVersionId: catalog.planVersionId, proposedVersionId, requestedBy: "product@tally.test" }, { clock });
    // The draft's terms change under the queued run (edited to another currency): the run fails, it does not stay running.
    await database.db.update(planVersions).set({ currency: "eur" }).where(eq(planVersions.id, proposedVersionId));
    expect(await runPlanSimulation(database.db, { runId: run.id })).toMatchObject({ status: "failed" });
    const failed = await getPlanSimulation(database.db, { runId: run.id });
    expect(failed).toMatchObject({ status: "failed", errorCode: "simulation_terms_incompatible" });
    expect(failed.errorMessage).toContain("same currency");
    expect(failed.finishedAt).toBeInstanceOf(Date);

    const [plan] = await database.db.insert(plans).values({ key: `yearly_${catalog.suffix}`, name: "Yearly" }).returning();
    const [yearly] = await database.db.insert(planVersions).values({ planId: plan!.id, version: 1, status: "draft", currency: "usd", billingInterval: "year" }).returning();
    await expect(startPlanSimulation(database.db, { currentVersionId: catalog.planVersionId, proposedVersionId: yearly!.id, requestedBy: "product@tally.test" }, { clock })).rejects.toMatchObject({
      code: "simulation_terms_incompatible",
    });
    await expect(getPlanSimulation(database.db, { runId: "00000000-0000-4000-8000-000000000000" })).rejects.toMatchObject({ code: "plan_simulation_not_found" });
  });
});

describe("listPlanSimulationResults", () => {
  let runId: string;
  let everything: PlanSimulationResultRow[];

  beforeAll(async () => {
    const catalog = await createTestCatalog(database.db);
    const proposedVersionId = await proposeVersion(catalog, { baseFeePerSeatMicros: 5_000_000n, packagePrice: "3" });
    // Ties on purpose: three usage levels and names shared by several customers.
    const usages = Array.from({ length: 14 }, (_, index) => ({ seats: 1 + (index % 2), requests: [0, 150, 400][index % 3]!, tokens: 0, model: "sonnet" as const }));
    await subscribe(catalog, usages, usages.map((_, index) => ["Acme", "beta labs", "Acme", "Zeta"][index % 4]!));
    const { run } = await startPlanSimulation(database.db, { currentVersionId: catalog.planVersionId, proposedVersionId, requestedBy: "product@tally.test" }, { clock });
    await runPlanSimulation(database.db, { runId: run.id }, { batchSize: 5 });
    runId = run.id;
    everything = await storedResults(runId);
    expect(everything).toHaveLength(14);
  });

  const value: Record<SimulationResultSortKey, (row: PlanSimulationResultRow) => bigint | string> = {
    difference: (row) => row.differenceMicros,
    magnitude: (row) => (row.differenceMicros < 0n ? -row.differenceMicros : row.differenceMicros),
    customer: (row) => row.customerName.toLowerCase(),
    current: (row) => row.currentMicros,
    proposed: (row) => row.proposedMicros,
  };

  async function readAll(input: { sort: SimulationResultSortKey; direction: "asc" | "desc"; change?: "increase" | "decrease" | "unchanged"; search?: string }) {
    const rows: PlanSimulationResultRow[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const result = await listPlanSimulationResults(database.db, { runId, ...input, cursor, limit: 3 });
      rows.push(...result.items);
      if (!result.nextCursor) return rows;
      cursor = result.nextCursor;
    }
    throw new Error("paging did not end");
  }

  it("pages every sort in both directions completely, each row once, ordered by the sort then the subscription (ties included)", async () => {
    for (const sort of simulationResultSortKeys) {
      for (const direction of ["asc", "desc"] as const) {
        const rows = await readAll({ sort, direction });
        const compare = (left: PlanSimulationResultRow, right: PlanSimulationResultRow) => {
          const [a, b] = [value[sort](left), value[sort](right)];
          const order = a < b ? -1 : a > b ? 1 : left.subscriptionId < right.subscriptionId ? -1 : 1;
          return direction === "asc" ? order : -order;
        };
        expect(rows.map((row) => row.subscriptionId), `${sort} ${direction}`).toEqual([...everything].sort(compare).map((row) => row.subscriptionId));
      }
    }
  });

  it("filters by the direction of the change and by customer", async () => {
    const increases = await readAll({ sort: "difference", direction: "desc", change: "increase" });
    expect(increases.map((row) => row.subscriptionId).sort()).toEqual(everything.filter((row) => row.differenceMicros > 0n).map((row) => row.subscriptionId).sort());
    const decreases = await readAll({ sort: "difference", direction: "asc", change: "decrease" });
    expect(decreases.map((row) => row.subscriptionId).sort()).toEqual(everything.filter((row) => row.differenceMicros < 0n).map((row) => row.subscriptionId).sort());
    expect(increases.length + decreases.length).toBeGreaterThan(0);
    const acme = await readAll({ sort: "customer", direction: "asc", search: "acm" });
    expect(acme.map((row) => row.subscriptionId).sort()).toEqual(everything.filter((row) => row.customerName === "Acme").map((row) => row.subscriptionId).sort());
    const cursor = (await listPlanSimulationResults(database.db, { runId, sort: "current", limit: 2 })).nextCursor!;
    await expect(listPlanSimulationResults(database.db, { runId, sort: "customer", cursor, limit: 2 })).rejects.toMatchObject({ code: "cursor_invalid" });
    expect((await database.db.select({ n: sql<number>`count(*)::int` }).from(planSimulationResults).where(eq(planSimulationResults.runId, runId)))[0]!.n).toBe(14);
  });

  it("exports the filtered, sorted view as CSV, money in decimal units", async () => {
    const response = await exportListResponse(database.db, planSimulationResultsExport, new URLSearchParams({ run: runId, change: "increase", sort: "difference", dir: "desc" }));
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toBe("Customer,External id,Customer id,Subscription,Period start,Period end,Now,Proposed,Difference");
    const increases = everything.filter((row) => row.differenceMicros > 0n).sort((left, right) => (left.differenceMicros > right.differenceMicros ? -1 : left.differenceMicros < right.differenceMicros ? 1 : left.subscriptionId > right.subscriptionId ? -1 : 1));
    expect(lines.slice(1).map((line) => line.split(",")[3])).toEqual(increases.map((row) => row.subscriptionId));
    expect(lines[1]!.split(",")[8]).toMatch(/^\d+\.\d{6}$/);
    expect((await exportListResponse(database.db, planSimulationResultsExport, new URLSearchParams({ run: runId, sort: "nope" }))).status).toBe(400);
  });
});
