import fs from "node:fs";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { signIn } from "./helpers";

/** Opens the nth customer whose external id starts with usr_02 (the demo seed gives those no credits). */
async function openCustomer(page: Page, index: number): Promise<{ name: string; url: string }> {
  await page.goto("/customers?q=usr_02");
  await page.getByTestId("customers-table").getByRole("row").nth(index).getByRole("link").first().click();
  await expect(page.getByTestId("credits-section")).toBeVisible();
  return { name: (await page.getByRole("heading", { level: 1 }).textContent()) ?? "", url: page.url() };
}

async function signedInPage(browser: Browser, role: "support" | "product" | "finance" | "admin"): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, role);
  return page;
}

async function issueCredit(page: Page, amount: string, reason: string): Promise<void> {
  await page.getByRole("button", { name: "Issue credit" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Amount (USD)").fill(amount);
  await dialog.getByLabel("Reason").fill(reason);
  await dialog.getByRole("button", { name: "Issue credit" }).click();
}

test.describe("credits and promotions", () => {
  test("support issues a small credit and sees the new balance", async ({ page }) => {
    await signIn(page, "support");
    await openCustomer(page, 0);
    await expect(page.getByTestId("credit-balance")).toContainText("$0.00");
    await issueCredit(page, "12.34", "Agent outage on the 3rd");
    await expect(page.getByTestId("issue-credit-result")).toContainText("Issued $12.34");
    await page.getByRole("button", { name: "Close" }).click();
    await expect(page.getByTestId("credit-balance")).toContainText("$12.34");
    await expect(page.getByTestId("grants-table")).toContainText("goodwill");

    // Every grant on its own page: filtered in the URL, restored on reload, exported.
    await page.getByTestId("all-credit-grants").click();
    await expect(page).toHaveURL(/\/customers\/[0-9a-f-]{36}\/credits$/);
    await page.getByTestId("filter-category").selectOption("goodwill");
    await expect(page).toHaveURL(/category=goodwill/);
    await page.reload();
    await expect(page.getByTestId("filter-category")).toHaveValue("goodwill");
    const rows = page.getByTestId("credit-grants-table").getByRole("row");
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText("$12.34");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("credit-grants-export").click()]);
    const lines = fs.readFileSync((await download.path())!, "utf8").trim().split(/\r?\n/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain("12.34");
  });

  test("a large credit waits for finance, and appears once approved", async ({ page, browser }) => {
    await signIn(page, "support");
    const customer = await openCustomer(page, 1);
    await issueCredit(page, "750", "Lost a week of work to the migration bug");
    await expect(page.getByTestId("issue-credit-result")).toContainText("sent for approval");
    await page.getByRole("button", { name: "Close" }).click();
    await expect(page.getByTestId("pending-credit-requests")).toContainText("$750.00");
    await expect(page.getByTestId("credit-balance")).toContainText("$0.00");

    const finance = await signedInPage(browser, "finance");
    await finance.goto("/credits/approvals");
    // The default view is the queue, and the Status filter says so (it said "All").
    await expect(finance.getByTestId("filter-status")).toHaveValue("pending");
    const row = finance.getByTestId("approvals-table").getByRole("row").filter({ hasText: customer.name }).filter({ hasText: "$750.00" });
    await row.getByLabel("Decision note").fill("Confirmed with the account manager");
    await row.getByRole("button", { name: "Approve" }).click();
    // Approving says what will happen, then confirms it happened.
    const confirm = finance.getByTestId("confirm-dialog");
    await expect(confirm).toContainText(`A goodwill credit of $750.00 is issued to ${customer.name} now`);
    await confirm.getByRole("button", { name: "Approve $750.00" }).click();
    await expect(finance.getByText(`Approved: $750.00 credit issued to ${customer.name}.`)).toBeVisible();
    // Approved requests leave the queue (other requests, e.g. from the demo seed, may remain).
    await expect(row).toHaveCount(0);
    // The history is one choice away, and choosing the queue again gives the plain URL back.
    await finance.getByTestId("filter-status").selectOption("approved");
    await expect(finance).toHaveURL(/status=approved/);
    await expect(finance.getByTestId("approvals-table").getByRole("row").filter({ hasText: customer.name }).filter({ hasText: "$750.00" })).toContainText("approved");
    await finance.getByTestId("filter-status").selectOption("pending");
    await expect(finance).toHaveURL(/\/credits\/approvals$/);
    await finance.goto(customer.url);
    await expect(finance.getByTestId("credit-balance")).toContainText("$750.00");
  });

  test("product creates a promotion, support applies its code, the customer has the credit", async ({ page, browser }) => {
    const code = `E2E${Date.now().toString(36).toUpperCase()}`;
    await signIn(page, "product");
    await page.goto("/promotions/new");
    await page.getByLabel("Name", { exact: true }).fill(`E2E promotion ${code}`);
    await page.getByLabel("Credit (USD)").fill("15");
    await page.getByLabel("Shared code (optional)").fill(code);
    await page.getByRole("button", { name: "Create promotion" }).click();
    await expect(page.getByTestId("promotion-status")).toHaveText("draft");
    await page.getByRole("button", { name: "Activate" }).click();
    await expect(page.getByTestId("promotion-status")).toHaveText("active");
    const promotionUrl = page.url();

    const support = await signedInPage(browser, "support");
    const customer = await openCustomer(support, 2);
    await support.getByLabel("Promotion code").fill(code.toLowerCase());
    await support.getByRole("button", { name: "Apply code" }).click();
    await expect(support.getByTestId("apply-promotion-result")).toContainText("Applied");
    await expect(support.getByTestId("credit-balance")).toContainText("$15.00");
    await expect(support.getByTestId("grants-table")).toContainText("promotion");

    // The redemption is on the promotion's page: a paged list that filters, reloads and exports.
    await page.goto(promotionUrl);
    await expect(page.getByTestId("redemptions-table")).toContainText(customer.name);
    await page.getByTestId("filter-codeKind").selectOption("unique");
    await expect(page).toHaveURL(/codeKind=unique/);
    await expect(page.getByTestId("redemptions-empty")).toBeVisible();
    await page.getByTestId("filter-codeKind").selectOption("shared");
    // The URL takes the filter a moment later (nuqs throttles its updates): reload only once it has.
    await expect(page).toHaveURL(/codeKind=shared/);
    await page.reload();
    await expect(page.getByTestId("filter-codeKind")).toHaveValue("shared");
    await expect(page.getByTestId("redemptions-table").getByRole("row")).toHaveCount(1);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("redemptions-export").click()]);
    const lines = fs.readFileSync((await download.path())!, "utf8").trim().split(/\r?\n/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(code);
  });

  test("an admin raises support's credit limit, and support's next credit within it needs no approval", async ({ page, browser }) => {
    const admin = await signedInPage(browser, "admin");
    const setSupportLimit = async (amount: string, reason: string, shown: string) => {
      await admin.goto("/admin/credit-limits");
      const row = admin.getByTestId("credit-limit-support");
      await row.getByLabel("New limit ($)").fill(amount);
      await row.getByLabel("Reason").fill(reason);
      await row.getByRole("button", { name: "Set limit" }).click();
      await expect(row.getByTestId("credit-limit-amount")).toHaveText(shown);
      await expect(row).toContainText("admin@tally.test");
    };
    await setSupportLimit("800", "Enterprise renewals week", "$800.00");

    await signIn(page, "support");
    await openCustomer(page, 3);
    await issueCredit(page, "760", "Renewal goodwill");
    await expect(page.getByTestId("issue-credit-result")).toContainText("Issued $760.00");
    await page.getByRole("button", { name: "Close" }).click();
    await expect(page.getByTestId("credit-balance")).toContainText("$760.00");

    await setSupportLimit("100", "Renewals week is over", "$100.00");
  });
});
