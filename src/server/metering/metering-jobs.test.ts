import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meters } from "@/db/schema";
import { systemClock } from "@/server/clock";
import { findJob } from "@/server/jobs/registry";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { ingestEvents } from "./ingest-events";
import { cloudEvent } from "./test-events";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
});
afterAll(async () => {
  await database.drop();
});

describe("metering jobs", () => {
  it("roll up pending events, verify them and create partitions from the command line", async () => {
    const context = { db: database.db, clock: systemClock, log: () => {} };
    await database.db.insert(meters).values({ key: "jobs_requests", name: "Requests", eventType: "api.request", aggregation: "count" });
    await ingestEvents(database.db, [cloudEvent(), cloudEvent()]);
    const rollup = await findJob("metering:rollup")!.run(context, {});
    expect(rollup).toMatchObject({ ok: true });
    const verify = await findJob("metering:verify")!.run(context, {});
    expect(verify).toMatchObject({ ok: true, differences: 0 });
    await expect(findJob("metering:verify")!.run(context, { from: "nonsense" })).rejects.toMatchObject({ code: "invalid_date" });
    expect(await findJob("metering:partitions")!.run(context, { "months-ahead": "4" })).toMatchObject({ ok: true });
    await expect(findJob("metering:partitions")!.run(context, { "months-ahead": "99" })).rejects.toMatchObject({ code: "invalid_months_ahead" });
  });
});
