import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { createCaller } from "@/server/api/root";
import { fixedClock } from "@/server/clock";
import { seedDemo } from "@/server/seed/seed-demo";
import { getUserByEmail } from "@/server/users/get-user";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { getAdminHome, getFinanceHome, getProductHome, getSupportHome } from "./get-home";

let database: TestDatabase;
const clock = fixedClock(new Date());

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  await seedDemo({ db: database.db, clock, log: () => {} });
}, 240_000);
afterAll(async () => {
  await database?.drop();
});

describe("home figures on the demo data", () => {
  it("support: the one customer the seed puts in dunning, and the credit request waiting", async () => {
    const home = await getSupportHome(database.db, clock.now());
    expect(home.customersInDunning).toBe(1);
    expect(home.dunningDueMicros.length).toBe(1);
    expect(home.dunningDueMicros[0]!.micros > 0n).toBe(true);
    expect(home.creditRequestsWaiting).toBeGreaterThanOrEqual(1);
  });

  it("support: open and acknowledged anomalies are counted, closed ones are not", async () => {
    const before = (await getSupportHome(database.db, clock.now())).anomalies;
    const now = clock.now().toISOString();
    for (const [status, closedAt] of [["open", null], ["open", null], ["acknowledged", null], ["resolved", now]] as const) {
      await database.db.execute(sql`insert into anomalies (kind, status, severity, subject, window_start, window_end, title, first_detected_at, last_detected_at, closed_at)
        values ('usage_spike', ${status}, 'high', ${`meter:home_test_${Math.random()}`}, ${now}::timestamptz, ${now}::timestamptz, 'home test', ${now}::timestamptz, ${now}::timestamptz, ${closedAt}::timestamptz)`);
    }
    const after = (await getSupportHome(database.db, clock.now())).anomalies;
    expect({ open: after.open - before.open, acknowledged: after.acknowledged - before.acknowledged }).toEqual({ open: 2, acknowledged: 1 });
  });

  it("product: usage per meter and day, the plan mix over every live subscription, promotions", async () => {
    const home = await getProductHome(database.db, clock.now());
    expect(new Set(home.usageByDay.map((row) => row.meterKey)).size).toBeGreaterThan(1);
    for (const row of home.usageByDay) expect(row.quantity).toMatch(/^\d+(\.\d+)?$/);
    // Every subscription not canceled, counted per plan key independently of the home's query.
    const live = await executeRows<{ plan: string; subscriptions: string }>(
      database.db,
      sql`select p.key as plan, count(*)::text as subscriptions from subscriptions s
          join catalog_plan_versions v on v.id = s.plan_version_id join catalog_plans p on p.id = v.plan_id
          where s.status in ('trialing', 'active', 'past_due', 'unpaid', 'incomplete') group by p.key`,
    );
    expect(live.reduce((sum, row) => sum + Number(row.subscriptions), 0)).toBeGreaterThan(200);
    expect(Object.fromEntries(home.planMix.map((plan) => [plan.planKey, plan.subscriptions]))).toEqual(Object.fromEntries(live.map((row) => [row.plan, Number(row.subscriptions)])));
    expect(home.activePromotions).toBe(3);
    expect(home.redemptionsTotal).toBe(20);
  });

  it("finance: invoiced this month, receivables and credits as exact micro-units", async () => {
    const home = await getFinanceHome(database.db, clock.now());
    const receivable = home.receivablesDue.find((row) => row.currency === "usd");
    expect(receivable && receivable.invoices > 0 && receivable.micros > 0n).toBe(true);
    expect(typeof home.creditsOutstanding[0]?.micros).toBe("bigint");
  });

  it("finance: net revenue this month and last equals the posted movement of the revenue and promotion accounts", async () => {
    const home = await getFinanceHome(database.db, clock.now());
    const now = clock.now();
    const month = (offset: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString();
    const ledgerNet = async (from: string, to: string) => {
      const rows = await executeRows<{ currency: string; micros: string }>(
        database.db,
        sql`select e.currency, (-sum(e.amount))::text as micros from ledger_entries e join ledger_accounts a on a.id = e.account_id
            where e.phase = 'posted' and (a.code like 'revenue:%' or a.code = 'expense:promotions') and e.effective_at >= ${from}::timestamptz and e.effective_at < ${to}::timestamptz
            group by e.currency order by e.currency`,
      );
      return rows.map((row) => ({ currency: row.currency, micros: BigInt(row.micros) }));
    };
    const lastMonth = await ledgerNet(month(-1), month(0));
    expect(lastMonth.find((row) => row.currency === "usd")!.micros > 0n).toBe(true);
    expect(home.revenueLastMonth).toEqual(lastMonth);
    expect(home.revenueThisMonth).toEqual(await ledgerNet(month(0), month(1)));
  });

  it("finance and admin: open reconciliation discrepancies with the money in doubt; resolved ones do not count", async () => {
    const before = await getFinanceHome(database.db, clock.now());
    const runId = "00000000-0000-4000-8000-000000000001";
    const now = clock.now().toISOString();
    for (const [key, status, resolvedAt, micros] of [["home-test-1", "open", null, 2_500_000], ["home-test-2", "open", null, 500_000], ["home-test-3", "resolved", now, 9_000_000]] as const) {
      await database.db.execute(sql`insert into reconciliation_discrepancies (kind, key, status, unit, currency, expected, actual, difference, amount_micros, description, first_seen_at, last_seen_at, resolved_at, first_run_id, last_run_id)
        values ('invoice_stripe', ${key}, ${status}, 'micros', 'usd', '0', '1', '1', ${micros}, 'home test', ${now}::timestamptz, ${now}::timestamptz, ${resolvedAt}::timestamptz, ${runId}, ${runId})`);
    }
    const after = await getFinanceHome(database.db, clock.now());
    expect(after.openDiscrepancies - before.openDiscrepancies).toBe(2);
    expect(after.openDiscrepancyMicros - before.openDiscrepancyMicros).toBe(3_000_000n);
    const admin = await getAdminHome(database.db, clock.now(), { jobNames: [] });
    expect(admin.openDiscrepancies).toBe(after.openDiscrepancies);
    // Billing health turns amber or red on open discrepancies, and says why.
    expect(admin.health.level).not.toBe("ok");
    expect(admin.health.problems.join(" ")).toMatch(/discrepanc/i);
  });

  it("admin: billing health reads without error on a fresh system", async () => {
    const home = await getAdminHome(database.db, clock.now(), { jobNames: [] });
    expect(["ok", "amber", "red"]).toContain(home.health.level);
    expect(home.webhooks).toEqual({ pending: 0, failed: 0, parked: 0, oldestPendingAt: null });
    expect(home.eventsLast24Hours.accepted).toBeGreaterThanOrEqual(0);
  });
});

describe("price preview", () => {
  it("rates a sample with the pricing engine and lists a price's problems instead of rating it", async () => {
    const user = await getUserByEmail(database.db, "product@tally.test");
    const api = createCaller({ db: database.db, clock, user: { id: user!.id, email: user!.email, name: user!.name, role: user!.role } });
    const price = { model: "graduated" as const, includedQuantity: "100", tiers: [{ upTo: "1000", unitPrice: "0.01" }, { upTo: null, unitPrice: "0.005", flatAmountMicros: "2000000" }] };
    const preview = await api.catalog.price.preview({ price, quantity: "2600" });
    expect(preview.issues).toEqual([]);
    expect(preview.result?.amountMicros).toBe(19_500_000n);
    expect(preview.result?.lines.map((line) => [line.kind, line.quantity, line.amountMicros])).toEqual([
      ["included", "100", 0n],
      ["graduated_tier", "1000", 10_000_000n],
      ["graduated_tier", "1500", 9_500_000n],
    ]);
    const broken = await api.catalog.price.preview({ price: { ...price, tiers: [{ upTo: "1000", unitPrice: "0.01" }, { upTo: "500", unitPrice: "0.005" }] }, quantity: "10" });
    expect(broken.result).toBeNull();
    expect(broken.issues.map((issue) => issue.code)).toContain("tiers_not_increasing");
  });
});
