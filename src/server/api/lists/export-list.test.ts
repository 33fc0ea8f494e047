import fs from "node:fs/promises";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedCustomers } from "@/server/customers/seed-customers";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { exportListResponse } from "./export-list";
import { listExports } from "./registry";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await seedCustomers(database.db, 60);
  await database.db.execute(sql`insert into customers (external_id, name, email, kind) values ('evil_1', '=HYPERLINK("http://x")', 'evil@x.test', 'team')`);
});
afterAll(async () => {
  await database.drop();
});

describe("list CSV export", () => {
  it("streams the whole filtered view (cursor ignored), text escaped against formulas", async () => {
    const response = await exportListResponse(database.db, listExports.customers!, new URLSearchParams({ kind: "team", sort: "name", dir: "desc", cursor: "ignored" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/csv");
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toContain("Balance due");
    const teams = await database.db.execute(sql`select count(*)::int as n from customers where kind = 'team'`);
    expect(lines.length - 1).toBe((teams as unknown as { n: number }[])[0]!.n);
    expect(lines.some((line) => line.startsWith(`"'=HYPERLINK`))).toBe(true);
    expect(lines.slice(1).every((line) => line.includes(",team,"))).toBe(true);
  });

  it("answers 400 in the API's error shape for a bad parameter, before any CSV", async () => {
    const response = await exportListResponse(database.db, listExports.customers!, new URLSearchParams({ status: "sleeping" }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "parameter_invalid", param: "status" } });
    const sort = await exportListResponse(database.db, listExports.customers!, new URLSearchParams({ dir: "sideways" }));
    expect(await sort.json()).toMatchObject({ error: { code: "parameter_invalid", param: "dir" } });
  });

  it("refuses text no query can take (a NUL) with 400 naming the parameter, for every list", async () => {
    for (const [name, list] of Object.entries(listExports)) {
      const hostile: Record<string, string>[] = [{ q: "\u0000'<script>" }, { cursor: "a\u0000b" }, { "x\u0000": "1" }];
      for (const params of hostile) {
        const response = await exportListResponse(database.db, list!, new URLSearchParams(params));
        expect(response.status, `${name} ${JSON.stringify(params)}`).toBe(400);
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe("parameter_invalid");
        expect(body.error.message).toMatch(/NUL/);
      }
    }
  });
});

describe("list export permissions", () => {
  const pages: Record<string, string> = {
    customers: "customers/page.tsx",
    invoices: "invoices/page.tsx",
    audit: "admin/audit/page.tsx",
    "ledger-accounts": "ledger/page.tsx",
    "ledger-statement": "ledger/accounts/[id]/page.tsx",
    users: "admin/users/page.tsx",
    "api-keys": "admin/api-keys/page.tsx",
    "webhook-events": "admin/webhooks/page.tsx",
    "webhook-endpoints": "admin/webhook-endpoints/page.tsx",
    "webhook-deliveries": "admin/webhook-endpoints/[id]/page.tsx",
    promotions: "promotions/page.tsx",
    "promotion-redemptions": "promotions/[id]/page.tsx",
    "credit-requests": "credits/approvals/page.tsx",
    "credit-grants": "customers/[id]/credits/page.tsx",
    "customer-notes": "customers/[id]/notes/page.tsx",
    "api-activity": "customers/[id]/api-activity/page.tsx",
    anomalies: "anomalies/page.tsx",
    "stripe-sync-failures": "admin/webhooks/sync-failures/page.tsx",
    "unknown-subjects": "metering/unknown-subjects/page.tsx",
    payments: "customers/[id]/payments/page.tsx",
    plans: "catalog/page.tsx",
  };

  it.each(Object.entries(pages))("the %s export asks for the permission its page asks for", async (name, page) => {
    const source = await fs.readFile(path.join(process.cwd(), "src/app/(console)", page), "utf8");
    const required = /requirePermission\("([^"]+)"\)/.exec(source)?.[1];
    expect(required).toBeDefined();
    expect(listExports[name]?.permission).toBe(required);
  });
});
