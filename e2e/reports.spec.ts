import fs from "node:fs";
import { expect, test } from "@playwright/test";
import ExcelJS from "exceljs";
import { signIn } from "./helpers";

const now = new Date();
const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);

test.describe("finance reports and the month close", () => {
  test("finance runs last month's revenue, drills into a number, exports XLSX, closes the month and downloads its package", async ({ page }) => {
    await signIn(page, "finance");
    await page.goto("/reports");
    await page.getByRole("link", { name: /Revenue/ }).first().click();
    await page.getByLabel("From month").fill(lastMonth);
    await page.getByLabel("To month (inclusive)").fill(lastMonth);
    await page.getByRole("button", { name: "Run report" }).click();
    await page.waitForURL(new RegExp(`/reports/revenue\\?from=${lastMonth}&to=${lastMonth}`));
    await expect(page.getByTestId("reconciliation")).toContainText("Gross revenue = change in revenue accounts");
    await expect(page.getByTestId("reconciliation")).not.toContainText("Does not reconcile");
    const total = page.getByTestId("report-rows").getByRole("row").filter({ hasText: `Total ${lastMonth}` });
    await expect(total).toBeVisible();

    // Drill into the first subscription number: the postings behind it add up to it.
    const detail = page.getByTestId("report-rows").getByRole("row").filter({ hasText: "Subscription fees" }).first();
    const number = detail.getByRole("link").first();
    const shown = await number.innerText();
    await number.click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Ledger postings behind a number");
    await expect(page.getByTestId("drill-entries").getByRole("row").first()).toBeVisible();
    await expect(page.getByTestId("drill-totals")).toContainText(`net ${shown} credit`);
    await page.getByTestId("drill-entries").getByRole("link").first().click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("transaction");

    // Export the report as XLSX and read it back.
    await page.goto(`/reports/revenue?from=${lastMonth}&to=${lastMonth}`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export XLSX" }).click()]);
    expect(download.suggestedFilename()).toBe(`revenue_${lastMonth}_${lastMonth}.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(fs.readFileSync((await download.path())!) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).getCell(2).value).toBe("Month");
    expect(sheet.rowCount).toBeGreaterThan(2);

    // Close last month, with a confirmation.
    await page.goto("/reports/periods");
    await expect(page.getByLabel("Month to close")).toHaveValue(lastMonth);
    await page.getByRole("button", { name: "Close month…" }).click();
    await page.getByRole("dialog").getByRole("button", { name: `Close ${lastMonth}` }).click();
    const row = page.getByTestId("periods").getByRole("row").filter({ hasText: lastMonth });
    await expect(row).toContainText("closed");
    await expect(row).toContainText("finance@tally.test");

    // The close package: one zip with every report as CSV and XLSX, and a manifest.
    const [zip] = await Promise.all([page.waitForEvent("download"), row.getByRole("link", { name: "Download close package" }).click()]);
    expect(zip.suggestedFilename()).toBe(`tally-close-${lastMonth}.zip`);
    const bytes = fs.readFileSync((await zip.path())!);
    expect(bytes.subarray(0, 2).toString()).toBe("PK");
    for (const name of ["manifest.json", "trial-balance.csv", "revenue.xlsx", "aging.csv", "credits-liability.xlsx", "cash.csv", "adjustments.xlsx"]) {
      expect(bytes.includes(Buffer.from(`close-${lastMonth}/${name}`))).toBe(true);
    }

    // Closing it again is refused, in words.
    await page.getByRole("button", { name: "Close month…" }).click();
    await page.getByRole("dialog").getByRole("button", { name: `Close ${lastMonth}` }).click();
    await expect(page.getByTestId("confirm-dialog").getByRole("alert")).toContainText("already closed");
  });

  test("bad input is explained in the page, and the export answers 400 with JSON; support reads without exporting or closing", async ({ page }) => {
    await signIn(page, "finance");
    await page.goto("/reports/cash?from=2026-03-10&to=2026-03-01");
    await expect(page.getByRole("alert").first()).toContainText("reversed");
    await page.getByLabel("From").fill("2026-03-10");
    await page.getByLabel("To (inclusive)").fill("2026-03-01");
    await page.getByRole("button", { name: "Run report" }).click();
    await expect(page.locator("#report-to-error")).toContainText("To is before From");
    const refused = await page.request.get("/api/reports/cash/export?format=csv&from=2026-03-10&to=2026-03-01");
    expect(refused.status()).toBe(400);
    expect((await refused.json()).error).toMatchObject({ code: "range_reversed", param: "to" });
    const malformed = await page.request.get("/api/reports/aging/export?format=xlsx&asOf=yesterday");
    expect(malformed.status()).toBe(400);
    expect((await malformed.json()).error.code).toBe("invalid_input");

    await page.context().clearCookies();
    await signIn(page, "support");
    await page.goto(`/reports/revenue?from=${lastMonth}&to=${lastMonth}`);
    await expect(page.getByTestId("report-rows")).toBeVisible();
    await expect(page.getByRole("link", { name: "Export XLSX" })).toHaveCount(0);
    await page.goto("/reports/periods");
    await expect(page.getByRole("button", { name: "Close month…" })).toHaveCount(0);
    expect((await page.request.get(`/api/reports/close-package?month=${lastMonth}`)).status()).toBe(403);
  });

  test("finance sees cash per Stripe payout (gross, fees, net) and exports it as CSV", async ({ page }) => {
    await signIn(page, "finance");
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 6, 1)).toISOString().slice(0, 10);
    const to = now.toISOString().slice(0, 10);
    await page.goto(`/reports/cash?from=${from}&to=${to}`);
    await page.getByLabel("By", { exact: true }).selectOption("payout");
    await page.getByRole("button", { name: "Run report" }).click();
    await page.waitForURL(/granularity=payout/);
    await expect(page.getByTestId("reconciliation")).toContainText("Net paid out = the payouts' postings to cash at bank");
    await expect(page.getByTestId("reconciliation")).not.toContainText("Does not reconcile");
    const rows = page.getByTestId("report-rows").getByRole("row");
    await expect(rows.filter({ hasText: /^po_seed_/ }).first()).toBeVisible();
    const total = rows.filter({ hasText: /Total USD \(\d+ paid\)/ });
    await expect(total).toContainText("$");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
    const csv = fs.readFileSync((await download.path())!, "utf8");
    expect(csv.split("\n")[0]).toContain("Stripe payout");
    expect(csv).toContain("po_seed_");

    // By day: the fees and what reached the bank sit beside payments and refunds, still tied to the trial balance.
    await page.goto(`/reports/cash?from=${from}&to=${to}&granularity=day`);
    await expect(page.getByRole("columnheader", { name: "Stripe fees" })).toBeVisible();
    await expect(page.getByRole("columnheader", { name: "Paid out to bank" })).toBeVisible();
    await expect(page.getByTestId("reconciliation")).not.toContainText("Does not reconcile");
  });
});
