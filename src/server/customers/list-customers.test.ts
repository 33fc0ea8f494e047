import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { listCustomers } from "./list-customers";
import { demoCustomers, seedCustomers } from "./seed-customers";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await seedCustomers(database.db, 240);
});
afterAll(async () => {
  await database.drop();
});

describe("listCustomers", () => {
  it("pages through every customer exactly once, in name order, for any page size", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 100 }), async (limit) => {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 300; page++) {
          const result = await listCustomers(database.db, { limit, cursor });
          seen.push(...result.items.map((customer) => customer.name.toLowerCase()));
          if (!result.nextCursor) break;
          cursor = result.nextCursor;
        }
        expect(seen.length).toBe(240);
        expect([...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(seen);
      }),
      { numRuns: 8 },
    );
  });

  it("matches name, email and external id case-insensitively, and only those", async () => {
    const sample = demoCustomers(240)[17]!;
    for (const search of [sample.name.toUpperCase(), sample.email, sample.externalId.slice(0, 12)]) {
      const result = await listCustomers(database.db, { search, limit: 100 });
      expect(result.items.map((customer) => customer.externalId)).toContain(sample.externalId);
      for (const customer of result.items) {
        const haystack = `${customer.name} ${customer.email} ${customer.externalId}`.toLowerCase();
        expect(haystack).toContain(search.toLowerCase());
      }
    }
  });

  it("treats LIKE wildcards in a search as plain text", async () => {
    const result = await listCustomers(database.db, { search: "%", limit: 10 });
    expect(result.items).toEqual([]);
  });

  it("filters by kind and ignores a garbled cursor", async () => {
    const teams = await listCustomers(database.db, { kind: "team", limit: 100, cursor: "not-a-cursor" });
    expect(teams.items.length).toBeGreaterThan(0);
    expect(teams.items.every((customer) => customer.kind === "team")).toBe(true);
  });
});
