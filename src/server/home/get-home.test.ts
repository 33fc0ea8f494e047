import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

  it("product: usage per meter and day, the plan mix over every live subscription, promotions", async () => {
    const home = await getProductHome(database.db, clock.now());
    expect(new Set(home.usageByDay.map((row) => row.meterKey)).size).toBeGreaterThan(1);
    for (const row of home.usageByDay) expect(row.quantity).toMatch(/^\d+(\.\d+)?$/);
    expect(home.planMix.reduce((sum, plan) => sum + plan.subscriptions, 0)).toBe(240);
    expect(home.activePromotions).toBe(3);
    expect(home.redemptionsTotal).toBe(20);
  });

  it("finance: invoiced this month, receivables and credits as exact micro-units", async () => {
    const home = await getFinanceHome(database.db, clock.now());
    const receivable = home.receivablesDue.find((row) => row.currency === "usd");
    expect(receivable && receivable.invoices > 0 && receivable.micros > 0n).toBe(true);
    expect(typeof home.creditsOutstanding[0]?.micros).toBe("bigint");
    expect(home.openDiscrepancies).toBe(0);
  });

  it("admin: billing health reads without error on a fresh system", async () => {
    const home = await getAdminHome(database.db, clock.now());
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
