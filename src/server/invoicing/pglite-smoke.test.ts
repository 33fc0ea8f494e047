import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "@/db/client";
import { executeRows } from "@/db/execute";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { fixedClock } from "@/server/clock";
import { seedCustomers } from "@/server/customers/seed-customers";
import { seedSubscriptions } from "@/server/customers/seed-subscriptions";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { listInvoices } from "./list-invoices";
import { previewUnbilledUsage } from "./preview-unbilled-usage";
import { seedDemoInvoices } from "./seed-demo-invoices";
import { createPgliteTestDatabase } from "@/test/database";

/** The embedded default (`npm run dev`): the demo usage is ingested, rolled up and closed on PGlite too. */
let handle: DatabaseHandle;
const clock = fixedClock("2026-11-20T10:17:00Z");

beforeAll(async () => {
  handle = await createPgliteTestDatabase();
  await seedCustomers(handle.db);
  await seedCatalog(handle.db, { clock });
  await seedSubscriptions(handle.db, clock);
}, 180_000);
afterAll(async () => {
  await handle.close();
});

describe("invoicing on PGlite", () => {
  it("seeds a month of usage, closes the due periods into invoices, and seeding again changes nothing", async () => {
    const startedMs = Date.now();
    const summary = await seedDemoInvoices(handle.db, clock);
    const seedMs = Date.now() - startedMs;
    const count = async () => Number((await executeRows<{ count: string }>(handle.db, sql`select count(*)::text as count from invoices`))[0]!.count);
    const invoices = await count();
    expect(invoices, summary).toBeGreaterThan(50);
    expect(seedMs).toBeLessThan(120_000);
    await seedDemoInvoices(handle.db, clock);
    expect(await count()).toBe(invoices);

    const page = await listInvoices(handle.db, { limit: 100 });
    expect(page.items.some((invoice) => invoice.totalMicros > 0n)).toBe(true);
    // Receivables are whole cents: each equals the sum of its customer's invoice totals in cents.
    const mismatched = await executeRows<{ customer_id: string }>(
      handle.db,
      sql`select i.customer_id from invoices i group by i.customer_id
          having sum(i.total_cents) * 10000 <> coalesce((select sum(e.amount) from ledger_entries e join ledger_accounts a on a.id = e.account_id
                                                         where a.code = 'customer:' || i.customer_id || ':receivable'), 0)`,
    );
    expect(mismatched).toEqual([]);
    const preview = await previewUnbilledUsage(handle.db, { customerId: page.items[0]!.customerId }, { clock });
    expect(preview?.period.start.getTime()).toBeLessThanOrEqual(clock.now().getTime());
    await expectLedgerConsistent(handle.db);
  }, 300_000);
});
