import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { sql } from "drizzle-orm";
import { openDatabase } from "../src/db/client";
import { executeRows } from "../src/db/execute";
import { signIn } from "./helpers";
import { e2eStateFile } from "./server";

/** Parses the export's CSV (quoted cells, no embedded newlines in the demo data). */
function csvRows(text: string): string[][] {
  return text
    .trim()
    .split(/\r?\n/)
    .map((line) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].slice(0, -1).map((match) => match[1]!.replace(/^"|"$/g, "").replace(/""/g, '"')));
}

test.describe("console lists", () => {
  test("support sorts customers by balance due, filters by status (trialing), and the URL restores the view after reload", async ({ page }) => {
    await signIn(page, "support");
    await page.goto("/customers");
    const rows = page.getByTestId("customers-table").getByRole("row");
    await expect(rows).toHaveCount(25);

    await page.getByTestId("filter-status").selectOption("trialing");
    await expect(page).toHaveURL(/status=trialing/);
    await page.getByTestId("sort-balance").click();
    await page.getByTestId("sort-balance").click();
    await expect(page).toHaveURL(/sort=balance/);
    await expect(page).toHaveURL(/dir=desc/);
    await expect(page.getByRole("columnheader", { name: /Balance due/ })).toHaveAttribute("aria-sort", "descending");
    // The URL and the header change at once; the rows when the server's answer arrives (the table is busy until then).
    await expect(page.getByTestId("customers-data-table").locator('[aria-busy="true"]')).toHaveCount(0);
    const count = await rows.count();
    expect(count).toBeGreaterThan(0);
    for (let index = 0; index < count; index++) await expect(rows.nth(index)).toContainText("Trialing");

    await page.reload();
    await expect(page.getByTestId("filter-status")).toHaveValue("trialing");
    await expect(page.getByRole("columnheader", { name: /Balance due/ })).toHaveAttribute("aria-sort", "descending");
    await expect(rows).toHaveCount(count);

    // Hidden columns are part of the view too.
    await page.getByRole("button", { name: "Columns" }).click();
    await page.getByRole("checkbox", { name: "Email" }).uncheck();
    await expect(page).toHaveURL(/hide=email/);
    await page.keyboard.press("Escape");
    await page.reload();
    await expect(page.getByRole("columnheader", { name: "Email" })).toHaveCount(0);

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("customers-export").click()]);
    const table = csvRows(fs.readFileSync((await download.path())!, "utf8"));
    expect(table[0]).toContain("Balance due");
    const status = table[0]!.indexOf("Status");
    expect(table.length - 1).toBeGreaterThanOrEqual(count);
    for (const row of table.slice(1)) expect(row[status]).toBe("trialing");
  });

  test("finance filters invoices by status, sorts by total, exports the view, and the URL restores it", async ({ page }) => {
    await signIn(page, "finance");
    await page.goto("/invoices");
    const rows = page.getByTestId("invoices-table").getByRole("row");
    await expect(rows.first()).toBeVisible();
    await page.getByTestId("filter-status").selectOption("finalized");
    await expect(page).toHaveURL(/status=finalized/);
    await page.getByTestId("sort-total").click();
    await page.getByTestId("sort-total").click();
    await expect(page).toHaveURL(/sort=total/);
    await expect(page).toHaveURL(/dir=desc/);
    await expect(page.getByRole("columnheader", { name: /Total/ })).toHaveAttribute("aria-sort", "descending");
    // The header changes at once; the rows when the server's answer arrives.
    const shownTotals = async () => (await rows.locator("td:nth-child(6)").allTextContents()).map((text) => Number(text.replace(/[^0-9.]/g, "")));
    await expect.poll(async () => {
      const shown = await shownTotals();
      return shown.length > 1 && shown.every((value, index) => index === 0 || shown[index - 1]! >= value);
    }).toBe(true);
    const count = await rows.count();
    expect(count).toBeGreaterThan(0);
    for (let index = 0; index < count; index++) await expect(rows.nth(index)).toContainText("finalized");
    const firstNumber = (await rows.first().getByRole("link").first().textContent())!.trim();

    await page.reload();
    await expect(page.getByTestId("filter-status")).toHaveValue("finalized");
    await expect(rows.first().getByRole("link").first()).toHaveText(firstNumber);

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("invoices-export").click()]);
    expect(download.suggestedFilename()).toMatch(/^invoices_\d{4}-\d{2}-\d{2}\.csv$/);
    const table = csvRows(fs.readFileSync((await download.path())!, "utf8"));
    const header = table[0]!;
    const [status, total, number] = [header.indexOf("Status"), header.indexOf("Total"), header.indexOf("Number")];
    expect(table.length - 1).toBeGreaterThanOrEqual(count);
    expect(table[1]![number]).toBe(firstNumber);
    for (const row of table.slice(1)) expect(row[status]).toBe("finalized");
    const totals = table.slice(1).map((row) => Number(row[total]));
    expect(totals).toEqual([...totals].sort((a, b) => b - a));

    // A bad parameter in the export URL answers 400 JSON, never a broken file.
    const refused = await page.request.get("/api/lists/invoices/export?status=lost");
    expect(refused.status()).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: "parameter_invalid", param: "status" } });
  });

  test("finance filters ledger accounts by kind, sorts by code descending, reloads, exports the view; product may not export", async ({ page }) => {
    await signIn(page, "finance");
    await page.goto("/ledger");
    const rows = page.getByTestId("ledger-accounts-table").getByRole("row");
    await expect(rows.first()).toBeVisible();
    await page.getByTestId("filter-kind").selectOption("revenue");
    await expect(page).toHaveURL(/kind=revenue/);
    await page.getByTestId("sort-code").click();
    await expect(page).toHaveURL(/dir=desc/);
    await expect(page.getByRole("columnheader", { name: /Code/ })).toHaveAttribute("aria-sort", "descending");
    const codes = async () => rows.locator("td:nth-child(2) a").allTextContents();
    await expect.poll(async () => {
      const shown = await codes();
      return shown.length > 1 && shown.every((code, index) => code.startsWith("revenue:") && (index === 0 || shown[index - 1]! > code));
    }).toBe(true);
    const shown = await codes();

    await page.reload();
    await expect(page.getByTestId("filter-kind")).toHaveValue("revenue");
    expect(await codes()).toEqual(shown);

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("ledger-accounts-export").click()]);
    expect(download.suggestedFilename()).toMatch(/^ledger-accounts_\d{4}-\d{2}-\d{2}\.csv$/);
    const table = csvRows(fs.readFileSync((await download.path())!, "utf8"));
    const [code, kind] = [table[0]!.indexOf("Code"), table[0]!.indexOf("Kind")];
    expect(table.slice(1, shown.length + 1).map((row) => row[code])).toEqual(shown);
    for (const row of table.slice(1)) expect(row[kind]).toBe("revenue");

    // The statement of the first account: its own view, exported with the account in the link.
    await rows.first().getByRole("link").first().click();
    await expect(page.getByTestId("account-statement-table").getByRole("row").first()).toBeVisible();
    await expect(page.getByTestId("account-statement-export")).toHaveAttribute("href", /\/api\/lists\/ledger-statement\/export\?account=[0-9a-f-]{36}/);

    await page.context().clearCookies();
    await signIn(page, "product");
    const refused = await page.request.get("/api/lists/ledger-accounts/export");
    expect(refused.status()).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: "forbidden" } });
  });

  test("admin filters users by role, sorts by name, reloads and exports; API keys filter by status; support may not export either", async ({ page }) => {
    await signIn(page, "admin");
    await page.goto("/admin/users");
    const rows = page.getByTestId("users-table").getByRole("row");
    await page.getByTestId("filter-role").selectOption("finance");
    await expect(page).toHaveURL(/role=finance/);
    await page.getByTestId("sort-name").click();
    await expect(page).toHaveURL(/sort=name/);
    await expect(page.getByRole("columnheader", { name: /Name/ })).toHaveAttribute("aria-sort", "ascending");
    await expect(rows).toHaveCount(1);
    await expect(page.getByTestId("user-row-finance@tally.test")).toBeVisible();
    await page.reload();
    await expect(page.getByTestId("filter-role")).toHaveValue("finance");
    await expect(rows).toHaveCount(1);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("users-export").click()]);
    const table = csvRows(fs.readFileSync((await download.path())!, "utf8"));
    expect(table.slice(1).map((row) => [row[0], row[2]])).toEqual([["finance@tally.test", "finance"]]);

    await page.goto("/admin/api-keys?status=revoked");
    await expect(page.getByTestId("filter-status")).toHaveValue("revoked");
    const keyRows = page.getByTestId("api-keys-table").getByRole("row");
    for (const row of await keyRows.all()) await expect(row).toContainText(/revoked|No API key matches this view/);

    await page.context().clearCookies();
    await signIn(page, "support");
    for (const list of ["users", "api-keys"]) {
      const refused = await page.request.get(`/api/lists/${list}/export`);
      expect(refused.status(), list).toBe(403);
    }
  });

  test("support finds a customer by a Stripe invoice id with ⌘K", async ({ page }) => {
    const { databaseUrl } = JSON.parse(fs.readFileSync(e2eStateFile, "utf8")) as { databaseUrl: string };
    const handle = await openDatabase({ url: databaseUrl, poolMax: 1 });
    let stripeId: string;
    let customerName: string;
    try {
      const [invoice] = await executeRows<{ id: string; stripe_invoice_id: string | null; name: string }>(
        handle.db,
        sql`select i.id, i.stripe_invoice_id, c.name from invoices i join customers c on c.id = i.customer_id order by i.stripe_invoice_id nulls last, i.id limit 1`,
      );
      stripeId = invoice!.stripe_invoice_id ?? `in_e2e_search_${invoice!.id.slice(0, 8)}`;
      customerName = invoice!.name;
      if (!invoice!.stripe_invoice_id) await handle.db.execute(sql`update invoices set stripe_invoice_id = ${stripeId} where id = ${invoice!.id}::uuid`);
    } finally {
      await handle.close();
    }
    await signIn(page, "support");
    await page.goto("/customers");
    const search = page.getByRole("dialog").getByRole("combobox");
    // The shortcut works once the page has hydrated; press until the dialog opens.
    await expect(async () => {
      if (!(await search.isVisible())) await page.keyboard.press("ControlOrMeta+k");
      await expect(search).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 15_000 });
    await expect(search).toBeFocused();
    await search.fill(stripeId);
    const results = page.getByTestId("global-search-results");
    await expect(results.getByRole("option").first()).toContainText(customerName);
    await expect(results).toContainText(`Stripe invoice ${stripeId}`);
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/customers\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(customerName);
  });

  test("support pages a customer's payments and the unknown subjects, sorts, filters, reloads and exports", async ({ page }) => {
    test.setTimeout(120_000);
    // Plant: 60 charges of one customer (more than a page), and 60 unknown subjects of one event each (sorting last among ties).
    const { databaseUrl } = JSON.parse(fs.readFileSync(e2eStateFile, "utf8")) as { databaseUrl: string };
    const handle = await openDatabase({ url: databaseUrl, poolMax: 1 });
    let customerId: string;
    try {
      const [customer] = await executeRows<{ id: string }>(handle.db, sql`select id from customers c where kind = 'individual' and not exists (select 1 from stripe_charges s where s.customer_id = c.id) order by created_at desc, id limit 1`);
      customerId = customer!.id;
      await handle.db.execute(sql`
        insert into stripe_charges (stripe_id, customer_id, stripe_created, amount, amount_captured, amount_refunded, currency, status, paid, captured, refunded, disputed,
                                    card_brand, card_last4, failure_code, failure_message, outcome_reason)
        select 'ch_e2e_list_' || lpad(g::text, 2, '0'), ${customerId}, now() - g * interval '1 day', 100 * g, 0, 0, 'usd',
               case when g % 3 = 0 then 'failed' else 'succeeded' end, g % 3 <> 0, g % 3 <> 0, false, false, 'visa', '4242',
               case when g % 3 = 0 then 'card_declined' end, case when g % 3 = 0 then 'Your card was declined.' end, null
        from generate_series(1, 60) g
        on conflict (stripe_id) do nothing`);
      await handle.db.execute(sql`
        insert into metering_unknown_subjects (subject, events, first_occurred_at, last_occurred_at)
        select 'zz_e2e_subject_' || lpad(g::text, 2, '0'), 1, now() - g * interval '1 hour', now() - g * interval '1 hour' from generate_series(1, 60) g
        on conflict (subject) do nothing`);
    } finally {
      await handle.close();
    }

    await signIn(page, "support");
    await page.goto(`/customers/${customerId}/payments`);
    const payments = page.getByTestId("payments-table").getByRole("row");
    await expect(payments).toHaveCount(50);
    await expect(payments.first()).toContainText("$1.00");
    await page.getByTestId("payments-next").click();
    await expect(page).toHaveURL(/cursor=/);
    await expect(payments).toHaveCount(10);
    await expect(payments.last()).toContainText("$60.00");
    await page.getByTestId("filter-status").selectOption("failed");
    await expect(page).not.toHaveURL(/cursor=/);
    await page.getByTestId("sort-amount").click();
    await page.getByTestId("sort-amount").click();
    await expect(page).toHaveURL(/sort=amount/);
    await expect(page).toHaveURL(/dir=desc/);
    await expect(page.getByTestId("payments-data-table").locator('[aria-busy="true"]')).toHaveCount(0);
    await expect(payments).toHaveCount(20);
    await expect(payments.first()).toContainText("$60.00");
    await expect(payments.first()).toContainText("card declined");
    await page.reload();
    await expect(page.getByTestId("filter-status")).toHaveValue("failed");
    await expect(page.getByRole("columnheader", { name: /Amount/ })).toHaveAttribute("aria-sort", "descending");
    await expect(payments.first()).toContainText("$60.00");
    const [paymentsFile] = await Promise.all([page.waitForEvent("download"), page.getByTestId("payments-export").click()]);
    const paymentRows = csvRows(fs.readFileSync((await paymentsFile.path())!, "utf8"));
    expect(paymentRows.slice(1).map((row) => row[0])).toEqual(Array.from({ length: 20 }, (_, index) => `ch_e2e_list_${String(60 - index * 3).padStart(2, "0")}`));

    await page.goto("/metering");
    await page.getByTestId("unknown-subjects-link").click();
    await expect(page).toHaveURL(/\/metering\/unknown-subjects$/);
    const subjects = page.getByTestId("unknown-subjects-table").getByRole("row");
    await expect(subjects).toHaveCount(50);
    await expect(subjects.first()).not.toContainText("zz_e2e_subject_");
    await page.getByTestId("unknown-subjects-next").click();
    await expect(page).toHaveURL(/cursor=/);
    await expect(subjects.last()).toContainText(/\w/);
    await expect(page.getByTestId("unknown-subjects-table")).toContainText("zz_e2e_subject_");
    await page.getByLabel("Find a subject").fill("zz_e2e_subject_");
    await page.getByTestId("unknown-subjects-data-table").getByRole("button", { name: "Search" }).click();
    await expect(page).toHaveURL(/q=zz_e2e_subject_/);
    await page.getByTestId("filter-customer").selectOption("none");
    await page.getByTestId("sort-last").click();
    await expect(page).toHaveURL(/sort=last/);
    await expect(page.getByTestId("unknown-subjects-data-table").locator('[aria-busy="true"]')).toHaveCount(0);
    await expect(subjects.first()).toContainText("zz_e2e_subject_60");
    await page.reload();
    await expect(page.getByTestId("filter-customer")).toHaveValue("none");
    await expect(subjects.first()).toContainText("zz_e2e_subject_60");
    await page.getByTestId("unknown-subjects-next").click();
    await expect(subjects).toHaveCount(10);
    const [subjectsFile] = await Promise.all([page.waitForEvent("download"), page.getByTestId("unknown-subjects-export").click()]);
    const subjectRows = csvRows(fs.readFileSync((await subjectsFile.path())!, "utf8"));
    expect(subjectRows[0]).toEqual(["Subject", "Events", "First event", "Last event", "Customer", "Customer id"]);
    expect(subjectRows.slice(1).map((row) => row[0])).toEqual(Array.from({ length: 60 }, (_, index) => `zz_e2e_subject_${String(60 - index).padStart(2, "0")}`));
  });

  test("product sorts plans by name and filters them by state on the catalog page; the URL restores the view and the export matches it", async ({ page }) => {
    await signIn(page, "product");
    await page.goto("/catalog");
    const plans = page.getByTestId("plans-table").getByRole("row");
    await expect(page.getByTestId("plan-pro")).toBeVisible();
    await page.getByTestId("filter-state").selectOption("published");
    await page.getByTestId("sort-name").click();
    await page.getByTestId("sort-name").click();
    await expect(page).toHaveURL(/state=published/);
    await expect(page).toHaveURL(/dir=desc/);
    await expect(page.getByTestId("plans-data-table").locator('[aria-busy="true"]')).toHaveCount(0);
    await page.reload();
    await expect(page.getByTestId("filter-state")).toHaveValue("published");
    await expect(page.getByRole("columnheader", { name: /Plan/ }).first()).toHaveAttribute("aria-sort", "descending");
    const shownNames = await plans.locator("td:nth-child(2)").allTextContents();
    expect(shownNames.length).toBeGreaterThanOrEqual(4);
    const [plansFile] = await Promise.all([page.waitForEvent("download"), page.getByTestId("plans-export").click()]);
    const planRows = csvRows(fs.readFileSync((await plansFile.path())!, "utf8"));
    expect(planRows.slice(1).map((row) => row[1])).toEqual(shownNames);
    for (const row of planRows.slice(1)) expect(row[2]).toBe("published");
  });
});
