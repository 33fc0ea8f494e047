import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "@/db/schema";
import { customers } from "@/db/schema";
import { systemClock } from "@/server/clock";
import { seedCatalog } from "@/server/catalog/seed-catalog";
import { ingestEvents } from "@/server/metering/ingest-events";
import { rollUpEverything } from "@/server/metering/test-events";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { createCallerFactory } from "../../trpc";
import { meteringRouter } from "./index";

let database: TestDatabase;
let customerId: string;
const hourMs = 3_600_000;
const to = new Date(Math.floor(Date.now() / hourMs) * hourMs + hourMs);
const from = new Date(to.getTime() - 2 * 24 * hourMs);

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 4 });
  await seedCatalog(database.db);
  const [customer] = await database.db
    .insert(customers)
    .values({ externalId: "org_metered", name: "Metered", email: "m@example.com", kind: "team" })
    .returning();
  customerId = customer!.id;
  const event = (id: string, subject: string, model: string, tokens: number) => ({
    specversion: "1.0",
    id,
    source: "test/router",
    type: "agent.llm.completion",
    subject,
    time: new Date(Date.now() - 60_000).toISOString(),
    data: { model, tokens, kind: "fresh" },
  });
  await ingestEvents(database.db, [
    event("1", "org_metered", "opus", 100),
    event("2", "org_metered", "sonnet", 250),
    event("3", "org_metered", "sonnet", 50),
    event("4", "usr_nobody", "sonnet", 7),
  ]);
  await rollUpEverything(database.db);
});
afterAll(async () => {
  await database.drop();
});

const callerAs = (role: Role) =>
  createCallerFactory(meteringRouter)({ db: database.db, clock: systemClock, user: { id: `user_${role}`, email: `${role}@tally.test`, name: role, role } });

describe("metering router", () => {
  it("answers usage by Tally id or external id, grouped by model, with exact totals", async () => {
    const byId = await callerAs("support").usage({ customerId, meterKey: "llm_tokens", from, to, window: "day", groupBy: ["model"] });
    expect(byId.totals.map((total) => [total.dimensions.model, total.value])).toEqual([
      ["opus", "100"],
      ["sonnet", "300"],
    ]);
    const byExternalId = await callerAs("finance").usage({ externalId: "org_metered", meterKey: "llm_tokens", from, to });
    expect(byExternalId.totals.map((total) => total.value)).toEqual(["400"]);
    await expect(callerAs("support").usage({ meterKey: "llm_tokens", from, to })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      callerAs("support").usage({ customerId, meterKey: "llm_tokens", from: new Date(to.getTime() - 40 * 24 * hourMs), to, window: "hour" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("shows ingestion figures and a chart series for the last hour", async () => {
    const stats = await callerAs("product").stats({ range: "hour" });
    expect(stats.totals.accepted).toBe(4);
    expect(stats.totals.unknownCustomer).toBe(1);
    expect(stats.rate.length).toBeGreaterThanOrEqual(60);
    expect(stats.rate.reduce((sum, point) => sum + point.accepted, 0)).toBe(4);
  });

  it("lists unknown subjects and lets support attach them once the customer exists, with a reason", async () => {
    expect((await callerAs("product").unknownSubjects()).map((each) => [each.subject, each.events, each.customer])).toEqual([["usr_nobody", 1, null]]);
    await expect(callerAs("support").attachUnknown({ externalId: "usr_nobody", reason: "signed up" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await database.db.insert(customers).values({ externalId: "usr_nobody", name: "Nobody", email: "n@example.com", kind: "individual" });
    await expect(callerAs("support").attachUnknown({ externalId: "usr_nobody", reason: "" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await callerAs("support").attachUnknown({ externalId: "usr_nobody", reason: "signed up late" })).toEqual({ attached: 1 });
    expect(await callerAs("support").unknownSubjects({ limit: 10 })).toEqual([]);
  });
});
