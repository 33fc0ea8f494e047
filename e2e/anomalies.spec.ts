import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { anomalyDemoCustomers, contosoWrongSubject } from "../src/server/anomalies/seed-anomalies-demo";
import { signIn } from "./helpers";

/* The demo seed plants four anomaly stories and runs detection (src/server/anomalies/seed-anomalies-demo.ts). */

test.describe("anomaly queue and investigation", () => {
  test("support investigates usage that stopped being counted: queue → anomaly → unknown-subject events → note → resolved", async ({ page }) => {
    await signIn(page, "support");
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Anomalies" }).click();
    await expect(page).toHaveURL(/\/anomalies$/);
    const queue = page.getByTestId("anomalies-table");
    await expect(queue).toContainText(anomalyDemoCustomers.spike.name);

    // Filters live in the URL; the status filter shows the default view (open or acknowledged), not "All".
    await expect(page.getByTestId("filter-status")).toHaveValue("active");
    await page.getByTestId("filter-kind").selectOption("usage_drop");
    await expect(page).toHaveURL(/kind=usage_drop/);
    const row = queue.getByRole("row").filter({ hasText: anomalyDemoCustomers.stopped.name }).filter({ hasText: "LLM tokens stopped" });
    await expect(row).toContainText(contosoWrongSubject);
    await expect(row.getByTestId("severity-badge")).toHaveText("high");
    await row.getByRole("link", { name: /LLM tokens stopped/ }).click();

    await expect(page.getByRole("heading", { level: 1 })).toContainText("LLM tokens stopped");
    await expect(page.getByTestId("anomaly-chart")).toBeVisible();
    const unknown = page.getByTestId("unknown-subject-evidence");
    await expect(unknown).toContainText(contosoWrongSubject);
    await expect(unknown).toContainText("likely this customer");
    const anomalyUrl = page.url();

    // The evidence leads to the events arriving under the wrong subject.
    await unknown.getByRole("link", { name: "See on Ingestion" }).first().click();
    await expect(page).toHaveURL(/\/metering\/unknown-subjects\?q=/);
    await expect(page.getByTestId("unknown-subjects-table").getByRole("row")).toHaveCount(1);
    await expect(page.getByTestId("unknown-subjects-table")).toContainText(contosoWrongSubject);

    await page.goto(anomalyUrl);
    await page.getByRole("button", { name: "Add a note" }).click();
    const noteDialog = page.getByTestId("reason-dialog");
    await noteDialog.getByRole("textbox", { name: "Note" }).fill(`Their new deployment sends ${contosoWrongSubject}; asked them to fix the subject.`);
    await noteDialog.getByRole("button", { name: "Add note" }).click();
    await expect(page.getByText("Note added.")).toBeVisible();
    await expect(page.getByTestId("anomaly-activity")).toContainText("asked them to fix the subject");

    await page.getByRole("button", { name: "Resolve", exact: true }).click();
    const resolveDialog = page.getByTestId("reason-dialog");
    await resolveDialog.getByRole("textbox", { name: "What was done" }).fill("Customer fixed the subject; their usage is counted again.");
    await resolveDialog.getByRole("button", { name: "Resolve" }).click();
    await expect(page.getByText("Resolved.", { exact: true })).toBeVisible();
    await expect(page.getByTestId("status-badge").first()).toHaveText("resolved");
    const activity = page.getByTestId("anomaly-activity");
    await expect(activity).toContainText("Resolved");
    await expect(activity).toContainText("support@tally.test");
    await expect(page.getByRole("button", { name: "Reopen" })).toBeVisible();

    // It left the default queue (open or acknowledged) and shows under "resolved".
    await page.goto("/anomalies?kind=usage_drop");
    await expect(page.getByTestId("anomalies-table").getByRole("row").filter({ hasText: "LLM tokens stopped" }).filter({ hasText: anomalyDemoCustomers.stopped.name })).toHaveCount(0);
    await page.goto("/anomalies?kind=usage_drop&status=resolved");
    await expect(page.getByTestId("anomalies-table")).toContainText(anomalyDemoCustomers.stopped.name);
  });

  test("the queue sorts by detection, filters by customer, pages, survives a reload and exports the view", async ({ page }) => {
    await signIn(page, "support");
    await page.goto("/anomalies?status=all");
    const rows = page.getByTestId("anomalies-table").getByRole("row");
    await expect(rows.first()).toBeVisible();
    // Money at stake, most first, is the default order.
    await expect(page.getByRole("columnheader", { name: /At stake/ })).toHaveAttribute("aria-sort", "descending");
    await page.getByTestId("filter-customer").fill(anomalyDemoCustomers.spike.externalId);
    await page.getByTestId("filter-customer").press("Enter");
    await expect(page).toHaveURL(new RegExp(`customer=${anomalyDemoCustomers.spike.externalId}`));
    await page.getByTestId("sort-detected").click();
    await page.getByTestId("sort-detected").click();
    await expect(page).toHaveURL(/sort=detected/);
    await expect(page).toHaveURL(/dir=desc/);
    await expect(page.getByTestId("anomalies-data-table").locator('[aria-busy="true"]')).toHaveCount(0);
    const count = await rows.count();
    expect(count).toBeGreaterThan(0);
    for (let index = 0; index < count; index++) await expect(rows.nth(index)).toContainText(anomalyDemoCustomers.spike.name);
    await page.reload();
    await expect(page.getByTestId("filter-status")).toHaveValue("all");
    await expect(page.getByTestId("filter-customer")).toHaveValue(anomalyDemoCustomers.spike.externalId);
    await expect(page.getByRole("columnheader", { name: /Detected/ })).toHaveAttribute("aria-sort", "descending");
    await expect(rows).toHaveCount(count);

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("anomalies-export").click()]);
    expect(download.suggestedFilename()).toMatch(/^anomalies_\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = fs.readFileSync((await download.path())!, "utf8").trim().split(/\r?\n/);
    expect(lines[0]).toContain("At stake");
    expect(lines.length - 1).toBe(count);
    for (const line of lines.slice(1)) expect(line).toContain(anomalyDemoCustomers.spike.externalId);

    // A customer nobody has is named as such.
    await page.goto("/anomalies?customer=usr_nobody_at_all");
    await expect(page.getByRole("status").filter({ hasText: "No customer has the external id" })).toBeVisible();
  });

  test("support answers “was I charged twice?” from the duplicate charge anomaly listing both payments", async ({ page }) => {
    await signIn(page, "support");
    await page.goto("/anomalies?kind=duplicate_charge");
    await page.getByTestId("anomalies-table").getByRole("row").filter({ hasText: anomalyDemoCustomers.double.name }).getByRole("link", { name: /Charged twice/ }).click();
    const payments = page.getByTestId("duplicate-payments");
    await expect(payments.getByRole("row")).toHaveCount(2);
    await expect(payments).toContainText("ch_demoanomalydouble1");
    await expect(payments).toContainText("ch_demoanomalydouble2");
    await expect(payments).toContainText("visa 4242");
    await expect(payments).toContainText("$240.00");
    await expect(page.getByTestId("anomaly-impact")).toHaveText("$240.00");
    await expect(page.getByRole("button", { name: "Issue credit" })).toBeVisible();
  });

  test("the customer page shows open anomalies at the top; product reads the queue but cannot act", async ({ page }) => {
    await signIn(page, "product");
    await page.goto(`/anomalies?customer=${anomalyDemoCustomers.spike.externalId}`);
    await page.getByTestId("anomalies-table").getByRole("link", { name: /mostly model opus/ }).click();
    await expect(page.getByTestId("attribution-dimensions")).toContainText("model opus");
    await expect(page.getByTestId("anomaly-actions")).toHaveCount(0);
    await page.getByTestId("anomaly-customer-link").click();
    const section = page.getByTestId("customer-anomalies");
    await expect(section).toContainText("mostly model opus");
    // At the top: before the subscription, the first of the other sections.
    await expect(page.getByTestId("subscription-section")).toBeVisible();
    const anomaliesFirst = await page.evaluate(() => {
      const anomalies = document.querySelector("[data-testid='customer-anomalies']");
      const subscription = document.querySelector("[data-testid='subscription-section']");
      return anomalies !== null && subscription !== null && (anomalies.compareDocumentPosition(subscription) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
    });
    expect(anomaliesFirst).toBe(true);

    await page.goto("/anomalies?kind=invoice_jump");
    await page.getByTestId("anomalies-table").getByRole("row").filter({ hasText: anomalyDemoCustomers.upgrade.name }).getByRole("link").first().click();
    await expect(page.getByTestId("price-effect")).toContainText("+$");
    await expect(page.getByTestId("attribution-lines")).toBeVisible();
  });
});
