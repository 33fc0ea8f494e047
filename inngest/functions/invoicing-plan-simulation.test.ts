import { InngestTestEngine } from "@inngest/test";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planVersions } from "@/db/schema";
import { fixedClock } from "@/server/clock";
import { getPlanSimulation } from "@/server/invoicing/list-plan-simulations";
import { planSimulationJob } from "@/server/invoicing/plan-simulation-jobs";
import { startPlanSimulation } from "@/server/invoicing/start-plan-simulation";
import { createSubscribedCustomer, createTestCatalog } from "@/server/invoicing/test-fixtures";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { createInvoicingPlanSimulationFunction, planSimulationStartedEvent } from "./invoicing-plan-simulation";

let database: TestDatabase;
const clock = fixedClock("2026-02-10T00:00:00Z");

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("invoicing-plan-simulation Inngest function and job", () => {
  it("computes the run its event names once; the job computes what is still queued", async () => {
    const catalog = await createTestCatalog(database.db);
    const [current] = await database.db.select().from(planVersions).where(eq(planVersions.id, catalog.planVersionId));
    const [proposed] = await database.db.insert(planVersions).values({ ...current!, id: undefined, version: 2, status: "draft", publishedAt: null, baseFeePerSeatMicros: 12_000_000n }).returning();
    for (let index = 0; index < 3; index++) await createSubscribedCustomer(database.db, { planVersionId: catalog.planVersionId, anchor: new Date("2026-01-01T00:00:00Z") });
    const input = { currentVersionId: catalog.planVersionId, proposedVersionId: proposed!.id, requestedBy: "product@tally.test" };
    const { run } = await startPlanSimulation(database.db, input, { clock });

    const engine = () => new InngestTestEngine({ function: createInvoicingPlanSimulationFunction(async () => ({ db: database.db })), events: [{ name: planSimulationStartedEvent, data: { runId: run.id } }] });
    const first = await engine().execute();
    expect(first.error).toBeUndefined();
    expect(first.result).toMatchObject({ status: "succeeded", runId: run.id, subscriptions: 3 });
    expect(await getPlanSimulation(database.db, { runId: run.id })).toMatchObject({ status: "succeeded", subscriptionsDone: 3, differenceMicros: 6_000_000n, increaseCount: 3 });
    // A redelivered event finds the run done: nothing is computed twice.
    expect((await engine().execute()).result).toEqual({ status: "nothing_to_claim" });

    const { run: queued } = await startPlanSimulation(database.db, input, { clock: fixedClock("2026-02-10T01:00:00Z") });
    const summary = await planSimulationJob.run({ db: database.db, clock, log: () => {} }, { "batch-size": "2" });
    expect(summary).toMatchObject({ ok: true, runs: [{ status: "succeeded", runId: queued.id, batches: 2, subscriptions: 3 }] });
    await expect(planSimulationJob.run({ db: database.db, clock, log: () => {} }, { run: "not-a-uuid" })).rejects.toMatchObject({ code: "invalid_argument" });
  });
});
