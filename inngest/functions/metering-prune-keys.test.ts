import { InngestTestEngine } from "@inngest/test";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { fixedClock } from "@/server/clock";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { createMeteringPruneKeysFunction } from "./metering-prune-keys";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("metering-prune-keys Inngest function", () => {
  it("runs the metering:prune-keys job and deletes keys past the retention", async () => {
    await executeRows(
      database.db,
      sql`insert into usage_event_keys (source, event_id, occurred_at) values ('inngest', 'old', '2026-01-01T00:00:00Z'), ('inngest', 'new', '2026-05-30T00:00:00Z')`,
    );
    const clock = fixedClock("2026-06-01T00:00:00Z");
    const engine = new InngestTestEngine({ function: createMeteringPruneKeysFunction(async () => ({ db: database.db, clock })) });
    const { result, error } = await engine.execute();
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ ok: true, deleted: 1, complete: true });
    const rows = await executeRows<{ event_id: string }>(database.db, sql`select event_id from usage_event_keys where source = 'inngest'`);
    expect(rows.map((row) => row.event_id)).toEqual(["new"]);
  });
});
