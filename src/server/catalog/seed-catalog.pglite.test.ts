import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { openDatabase } from "@/db/client";
import { postgresError } from "@/db/errors";
import { executeRows } from "@/db/execute";
import { migrateDatabase } from "@/db/migrate";
import { getCurrentPlanVersion } from "./get-current-plan-version";
import { listPlans } from "./list-plans";
import { seedCatalog } from "./seed-catalog";

/** The development server runs on embedded PGlite: the catalog and its trigger must work there too. */
it("seeds the demo catalog idempotently on PGlite, and the published versions are immutable there", async () => {
  const handle = await openDatabase({ dataDir: "memory://" });
  try {
    await migrateDatabase(handle);
    await seedCatalog(handle.db);
    expect((await seedCatalog(handle.db)).created).toBe(0);
    const { plans } = await listPlans(handle.db);
    expect(plans.map((plan) => [plan.key, plan.versions.length])).toEqual([
      ["enterprise", 1],
      ["free", 1],
      ["pro", 2],
      ["team", 1],
    ]);
    const pro = await getCurrentPlanVersion(handle.db, "pro");
    const update = await executeRows(handle.db, sql`update catalog_plan_versions set trial_days = 0 where id = ${pro.id}`).catch(
      (error: unknown) => error,
    );
    expect(postgresError(update)?.message).toMatch(/immutable/);
  } finally {
    await handle.close();
  }
});
