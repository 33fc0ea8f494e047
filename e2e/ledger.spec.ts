import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

test.describe("ledger", () => {
  test("finance reverses a goodwill credit once, with a reason, and the grant account returns to zero", async ({ page }) => {
    // Support issues a fresh credit, so the grant is certainly unspent and can be reversed.
    await signIn(page, "support");
    await page.goto("/customers?q=usr_0042");
    await page.getByTestId("customers-table").getByRole("row").first().getByRole("link").click();
    await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
    const customerId = new URL(page.url()).pathname.split("/").at(-1)!;
    await page.getByRole("button", { name: "Issue credit" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Amount (USD)").fill("4.25");
    await dialog.getByLabel("Reason").fill("Credit issued by mistake");
    await dialog.getByRole("button", { name: "Issue credit" }).click();
    await expect(page.getByTestId("issue-credit-result")).toContainText("Issued $4.25");

    await page.context().clearCookies();
    await signIn(page, "finance");
    await page.goto(`/ledger?q=${encodeURIComponent(`customer:${customerId}:grant:`)}`);
    const grantAccounts = page.getByTestId("ledger-accounts-table").getByRole("row");
    const fresh = grantAccounts.filter({ hasText: "$4.25" }).first();
    await fresh.getByRole("link").first().click();
    await expect(page.getByTestId("balance-posted")).toHaveText("$4.25");
    const account = page.url();
    await page.getByTestId("account-statement-table").getByRole("link", { name: "credit_grant" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("credit_grant transaction");
    const original = page.url();

    await page.getByRole("button", { name: "Reverse" }).click();
    await page.getByRole("dialog").getByLabel("Reason").fill("Granted to the wrong customer");
    await page.getByRole("button", { name: "Reverse transaction" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("reversal transaction");

    await page.goto(original);
    await expect(page.getByTestId("reversed-by")).toBeVisible();
    await expect(page.getByRole("button", { name: "Reverse" })).toHaveCount(0);
    await page.goto(account);
    await expect(page.getByTestId("balance-posted")).toHaveText("$0.00");
  });

  test("support reads the ledger but is not offered a reversal", async ({ page }) => {
    await signIn(page, "support");
    await page.goto("/ledger?q=expense%3Apromotions");
    await page.getByTestId("ledger-accounts-table").getByRole("link", { name: "expense:promotions" }).click();
    await page.getByTestId("account-statement-table").getByRole("link").first().click();
    await expect(page.getByTestId("transaction-entries").getByRole("row").first()).toBeVisible();
    await expect(page.getByRole("button", { name: "Reverse" })).toHaveCount(0);
  });

  test("the trial balance balances, and finance can export it; support cannot", async ({ page }) => {
    await signIn(page, "finance");
    await page.goto("/ledger/trial-balance");
    await expect(page.getByTestId("reconciliation")).toContainText("Reconciles");
    const total = page.getByTestId("report-rows").getByRole("row").filter({ hasText: "Total USD" });
    const [debit, credit] = [await total.getByRole("cell").nth(5).innerText(), await total.getByRole("cell").nth(6).innerText()];
    expect(debit).toMatch(/^\$[\d,]+\.\d+$/);
    expect(credit).toBe(debit);
    // A bad date is explained, never replaced by now.
    await page.goto("/ledger/trial-balance?asOf=2026-02-31");
    await expect(page.getByRole("alert").first()).toContainText("2026-02-31 is not a calendar date");
    await expect(page.getByTestId("report-rows")).toHaveCount(0);
    // A reversed journal range is explained in the page.
    await page.goto("/ledger/trial-balance");
    await page.getByLabel("Journal from").fill("2026-03-10");
    await page.getByLabel("to (inclusive)").fill("2026-03-01");
    await page.getByRole("button", { name: "Export journal CSV" }).click();
    await expect(page.locator("#journal-error")).toContainText("The range is reversed");

    const csv = await page.request.get(`/api/ledger/trial-balance.csv?asOf=${encodeURIComponent(new Date().toISOString())}`);
    expect(csv.status()).toBe(200);
    const lines = (await csv.text()).trim().split("\n");
    expect(lines[0]).toBe("account,kind,currency,debit,credit");
    const totalLine = lines.find((line) => line.startsWith("TOTAL,"))!.split(",");
    expect(totalLine[3]).toBe(totalLine[4]);

    const journal = await page.request.get("/api/ledger/journal.csv?from=2020-01-01&to=2100-01-01");
    expect(journal.status()).toBe(200);
    expect((await journal.text()).split("\n").length).toBeGreaterThan(2);
    const badRange = await page.request.get("/api/ledger/journal.csv?from=2026-02-01&to=2026-01-01");
    expect(badRange.status()).toBe(400);
    expect((await badRange.json()).error.code).toBe("invalid_range");

    await page.context().clearCookies();
    await signIn(page, "support");
    const refused = await page.request.get("/api/ledger/journal.csv?from=2020-01-01&to=2100-01-01");
    expect(refused.status()).toBe(403);
  });
});
