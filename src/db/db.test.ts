import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresError } from "@/db/errors";
import { executeRows } from "@/db/execute";
import { getMigrationStatus } from "@/db/migrate";
import { createTestDatabase, type TestDatabase } from "@/test/database";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("test databases", () => {
  it("are migrated to the committed migrations", async () => {
    const status = await getMigrationStatus(database);
    expect(status.current).toBe(true);
    expect(status.applied).toBeGreaterThan(0);
  });

  it("refuse to change the audit log once written", async () => {
    await executeRows(
      database.db,
      sql`insert into audit_log (actor_type, actor_id, actor_label, action, object_type, object_id)
          values ('system', 'test', 'test', 'test.write', 'thing', '1')`,
    );
    const update = await executeRows(database.db, sql`update audit_log set action = 'x'`).catch((error) => error);
    expect(postgresError(update)?.message).toMatch(/append-only/);
    const remove = await executeRows(database.db, sql`delete from audit_log`).catch((error) => error);
    expect(postgresError(remove)?.message).toMatch(/append-only/);
  });
});
