import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemActor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { isDomainError } from "@/server/errors";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { anomalyJobs, plantedTargets } from "./anomaly-jobs";
import { updateAnomalySetting } from "./settings";

/* `npm run job -- anomalies:evaluate-planted`: the detectors scored on planted data with the thresholds in force. */
let database: TestDatabase;
const job = anomalyJobs.find((each) => each.name === "anomalies:evaluate-planted")!;
const clock = fixedClock("2026-06-17T09:00:00Z");

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 2 });
});
afterAll(async () => {
  await database.drop();
});

describe("anomalies:evaluate-planted", () => {
  it("meets the targets with the default thresholds, reporting each seed", async () => {
    const summary = (await job.run({ db: database.db, clock, log: () => {} }, { seeds: "11,22" })) as { worst: { recall: number; precision: number }; runs: { seed: number }[] };
    expect(summary.runs.map((run) => run.seed)).toEqual([11, 22]);
    expect(summary.worst.recall).toBeGreaterThanOrEqual(plantedTargets.recall);
    expect(summary.worst.precision).toBeGreaterThanOrEqual(plantedTargets.precision);
  });

  it("fails with planted_targets_missed when an admin sets thresholds that miss planted spikes", async () => {
    await updateAnomalySetting(database.db, systemActor("test"), clock, { key: "usage.spike_ratio", value: "100", reason: "testing a bad threshold" });
    const failure = await job.run({ db: database.db, clock, log: () => {} }, { seeds: "11" }).catch((error: unknown) => error);
    expect(isDomainError(failure) && failure.code).toBe("planted_targets_missed");
    await expect(job.run({ db: database.db, clock, log: () => {} }, { seeds: "x" })).rejects.toMatchObject({ code: "job_argument_invalid" });
  });
});
