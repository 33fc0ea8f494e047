import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anomalies, customers } from "@/db/schema";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { systemClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { anomalyDemoCustomers, contosoWrongSubject, seedAnomaliesDemo } from "./seed-anomalies-demo";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  await seedCatalog(database.db);
  await seedAnomaliesDemo(database.db, systemClock);
}, 180_000);
afterAll(async () => {
  await database?.drop();
});

async function found(externalId: string) {
  return database.db
    .select({ kind: anomalies.kind, title: anomalies.title, status: anomalies.status, impactMicros: anomalies.impactMicros, evidence: anomalies.evidence })
    .from(anomalies)
    .innerJoin(customers, eq(customers.id, anomalies.customerId))
    .where(eq(customers.externalId, externalId));
}

describe("the demo's anomaly stories, found by detection", () => {
  it("names the cause of each: the model that spiked, the wrong subject, the plan change, the double charge", async () => {
    const spike = await found(anomalyDemoCustomers.spike.externalId);
    expect(spike).toEqual([expect.objectContaining({ kind: "usage_spike", status: "open", title: expect.stringContaining("mostly model opus") })]);
    expect(spike[0]!.impactMicros! > 0n).toBe(true);

    const stopped = await found(anomalyDemoCustomers.stopped.externalId);
    const tokens = stopped.find((anomaly) => anomaly.title.startsWith("LLM tokens"));
    expect(tokens).toMatchObject({ kind: "usage_drop", title: expect.stringContaining(`unknown subject "${contosoWrongSubject}"`) });

    const upgrade = await found(anomalyDemoCustomers.upgrade.externalId);
    expect(upgrade).toEqual([expect.objectContaining({ kind: "invoice_jump", title: expect.stringMatching(/mostly price.*Pro v\d → Team v\d/) })]);

    const double = await found(anomalyDemoCustomers.double.externalId);
    expect(double).toEqual([expect.objectContaining({ kind: "duplicate_charge", title: expect.stringContaining("Charged twice") })]);
    expect(double[0]!.evidence).toMatchObject({ first: { chargeId: "ch_demoanomalydouble1" }, second: { chargeId: "ch_demoanomalydouble2" } });
  });

  it("is idempotent: seeding again opens nothing new", async () => {
    const before = await database.db.select({ id: anomalies.id }).from(anomalies);
    await seedAnomaliesDemo(database.db, systemClock);
    const after = await database.db.select({ id: anomalies.id }).from(anomalies);
    expect(after.map((row) => row.id).sort()).toEqual(before.map((row) => row.id).sort());
  });
});
