import { ne } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anomalies, type AnomalyKind } from "@/db/schema";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { detectAnomalies } from "./detect-anomalies";
import { plantFacts, type PlantedFact } from "./planted/plant-facts";

/**
 * Every non-usage kind, planted through the paths production uses (planted/plant-facts.ts) with a
 * seeded generator, several instances each beside look-alike controls; then the daily and hourly
 * detection runs must find each planted case once, with its cause and evidence, and nothing on a
 * control, open nothing on a rerun, and auto-resolve each case once its condition clears.
 */

const asOf = new Date("2026-06-17T15:20:00Z");
const seed = Number(process.env.PLANTED_FACTS_SEED ?? 20261205);
const perKind = 3;
const nonUsage: AnomalyKind[] = ["invoice_jump", "duplicate_charge", "payment_failure", "reconciliation", "credit_burn", "spend_limit", "job_failure"];

let database: TestDatabase;
let planted: PlantedFact[];
let customerIds: string[];

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  await seedCatalog(database.db);
  planted = await plantFacts(database.db, { seed, asOf, perKind });
  customerIds = [...new Set(planted.map((fact) => fact.customerId))];
}, 240_000);
afterAll(async () => {
  await database?.drop();
});

async function activeAnomalies() {
  const rows = await database.db.select().from(anomalies).where(ne(anomalies.status, "auto_resolved"));
  return rows.filter((row) => row.customerId !== null && customerIds.includes(row.customerId));
}

const describeFact = (fact: PlantedFact) => `${fact.kind ?? "control"}: ${fact.label} (seed ${seed})`;

describe("anomalies:detect over planted billing facts", () => {
  it("plants several cases of every non-usage kind, each with controls", () => {
    for (const kind of ["invoice_jump", "duplicate_charge", "payment_failure", "reconciliation", "credit_burn", "spend_limit"] as const) {
      expect(planted.filter((fact) => fact.kind === kind).length, kind).toBeGreaterThanOrEqual(perKind);
    }
    expect(planted.filter((fact) => fact.kind === null).length).toBeGreaterThan(20);
  });

  it("finds each planted case once, names its cause, holds its evidence, and nothing on the controls", async () => {
    await detectAnomalies(database.db, { clock: fixedClock(asOf), mode: "daily", kinds: nonUsage, customerIds });
    const found = await activeAnomalies();
    for (const fact of planted) {
      const mine = found.filter((anomaly) => anomaly.customerId === fact.customerId);
      if (fact.kind === null) {
        expect(mine.map((anomaly) => `${anomaly.kind}: ${anomaly.title}`), describeFact(fact)).toEqual([]);
        continue;
      }
      expect(mine.map((anomaly) => anomaly.kind), describeFact(fact)).toEqual([fact.kind]);
      const anomaly = mine[0]!;
      expect(anomaly.status, describeFact(fact)).toBe("open");
      for (const part of fact.titleIncludes) expect(anomaly.title, describeFact(fact)).toContain(part);
      expect(anomaly.evidence, describeFact(fact)).toMatchObject(fact.evidence);
      if (fact.impactMicros !== null) expect(anomaly.impactMicros, describeFact(fact)).toBe(fact.impactMicros);
    }
  }, 120_000);

  it("opens nothing new on a rerun, daily or hourly", async () => {
    const before = (await activeAnomalies()).map((anomaly) => anomaly.id).sort();
    const daily = await detectAnomalies(database.db, { clock: fixedClock(asOf), mode: "daily", kinds: nonUsage, customerIds });
    const hourly = await detectAnomalies(database.db, { clock: fixedClock(new Date(asOf.getTime() + 20 * 60_000)), mode: "hourly", kinds: nonUsage, customerIds });
    for (const result of [daily, hourly]) {
      expect(result.persisted.opened).toEqual([]);
      expect(result.persisted.reopened).toEqual([]);
      expect(result.persisted.autoResolved).toEqual([]);
    }
    expect((await activeAnomalies()).map((anomaly) => anomaly.id).sort()).toEqual(before);
  }, 120_000);

  it("auto-resolves each case once its condition clears (refunded, paid, used, booked)", async () => {
    const clearing = planted.filter((fact) => fact.clear !== undefined);
    expect(clearing.length).toBeGreaterThanOrEqual(5 * perKind);
    for (const fact of clearing) await fact.clear!();
    await detectAnomalies(database.db, { clock: fixedClock(asOf), mode: "daily", kinds: nonUsage, customerIds });
    const still = await activeAnomalies();
    for (const fact of clearing) {
      expect(still.filter((anomaly) => anomaly.customerId === fact.customerId).map((anomaly) => `${anomaly.kind}: ${anomaly.title}`), describeFact(fact)).toEqual([]);
    }
    const resolved = await database.db.select({ customerId: anomalies.customerId, status: anomalies.status }).from(anomalies);
    for (const fact of clearing) expect(resolved.filter((row) => row.customerId === fact.customerId).map((row) => row.status), describeFact(fact)).toEqual(["auto_resolved"]);
  }, 120_000);
});
