import fs from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

const terms = (tiers: { upTo: string | null; unitPrice: string }[]) =>
  JSON.stringify({
    currency: "usd",
    billingInterval: "month",
    baseFeePerSeatMicros: "15000000",
    trialDays: 14,
    entitlements: [{ featureKey: "agent_requests", kind: "metered", meterKey: "agent_requests", allowancePerPeriod: "500", overage: "bill" }],
    usagePrices: [{ meterKey: "agent_requests", price: { model: "graduated", includedQuantity: "0", tiers } }],
  });

test.describe("plans and meters", () => {
  test("product drafts a plan, is told what blocks publishing, publishes it, and starts the next version", async ({ page }) => {
    const key = `e2e_${Date.now().toString(36)}`;
    await signIn(page, "product");
    await page.goto("/catalog");
    await expect(page.getByTestId("meters-table")).toContainText("agent.request");
    const newPlan = page.getByRole("form", { name: "New plan" });
    await newPlan.getByLabel("Key").fill(key);
    await newPlan.getByLabel("Name").fill("E2E Plus");
    await newPlan.getByRole("button", { name: "New plan" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("E2E Plus v1");
    await expect(page.getByTestId("plan-version-status")).toHaveText("draft");

    // Tiers that go down instead of up (typed as JSON, the advanced fallback): saved as a draft, refused at publish with the reason.
    await page.getByRole("button", { name: "Advanced: edit as JSON" }).click();
    await page.getByRole("textbox", { name: "Terms (JSON)" }).fill(terms([{ upTo: "1000", unitPrice: "0.01" }, { upTo: "500", unitPrice: "0.005" }]));
    await page.getByRole("button", { name: "Save draft" }).click();
    await expect(page.getByText("Draft saved.")).toBeVisible();
    await page.getByRole("button", { name: "Publish…" }).click();
    const dialog = page.getByTestId("reason-dialog");
    await dialog.getByLabel("Reason").fill("Launch the Plus tier");
    await dialog.getByRole("button", { name: "Publish" }).click();
    await expect(dialog.getByTestId("form-error")).toContainText("cannot be published");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(page.getByTestId("plan-version-status")).toHaveText("draft");

    await page.getByRole("textbox", { name: "Terms (JSON)" }).fill(terms([{ upTo: "1000", unitPrice: "0.01" }, { upTo: null, unitPrice: "0.005" }]));
    await page.getByRole("button", { name: "Save draft" }).click();
    await expect(page.getByText("Draft saved.").first()).toBeVisible();
    await page.getByRole("button", { name: "Publish…" }).click();
    await dialog.getByLabel("Reason").fill("Launch the Plus tier");
    await dialog.getByRole("button", { name: "Publish" }).click();
    await expect(page.getByTestId("plan-version-status")).toHaveText("published");
    await expect(page.getByTestId("plan-version-fee")).toHaveText("$15.00 a month");
    await expect(page.getByTestId("plan-version-prices")).toContainText("2 tiers (graduated");

    await page.getByRole("button", { name: "New draft from this version" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("E2E Plus v2");
    await expect(page.getByTestId("plan-version-status")).toHaveText("draft");
    await expect(page.getByTestId("plan-version-fee")).toHaveText("$15.00 a month");
  });

  test("product adds a meter with filters and group-by in the form, and a key in use or a bad property is refused in words", async ({ page }) => {
    const key = `e2e_meter_${Date.now().toString(36)}`;
    await signIn(page, "product");
    await page.goto("/catalog");
    const form = page.getByRole("form", { name: "New meter" });
    const fill = async (meterKey: string, filterProperty = "kind") => {
      await form.getByLabel("Key").fill(meterKey);
      await form.getByLabel("Name").fill("Fresh Opus tokens");
      await form.getByLabel("Event type").fill("agent.llm.completion");
      await form.getByLabel("Aggregation").selectOption("sum");
      await form.getByLabel("Property (data.…)").fill("tokens");
      if ((await form.getByLabel("Group-by dimension 1").count()) === 0) await form.getByRole("button", { name: "Add a dimension" }).click();
      await form.getByLabel("Group-by dimension 1").fill("model");
      if ((await form.getByLabel("Filter 1 property").count()) === 0) {
        await form.getByRole("button", { name: "Add a filter" }).click();
        await form.getByRole("button", { name: "Add a filter" }).click();
      }
      await form.getByLabel("Filter 1 property").fill(filterProperty);
      await form.getByLabel("Filter 1 value").fill("fresh");
      await form.getByLabel("Filter 2 property").fill("model");
      await form.getByLabel("Filter 2 comparison").selectOption("in");
      await form.getByLabel("Filter 2 values (comma-separated)").fill("opus, sonnet");
      await form.getByRole("button", { name: "New meter" }).click();
    };
    // A property path that is not one: refused, naming the row in words, and nothing saved.
    await fill(key, "kind of");
    await expect(form.getByRole("alert")).toHaveText("Filter 1 property: use a dotted property path such as usage.input_tokens.");
    await expect(page.getByTestId("meters-table").getByRole("row").filter({ hasText: key })).toHaveCount(0);
    await form.getByLabel("Filter 1 property").fill("kind");
    await form.getByRole("button", { name: "New meter" }).click();
    const row = page.getByTestId("meters-table").getByRole("row").filter({ hasText: key });
    await expect(row).toContainText("kind equals fresh");
    await expect(row).toContainText("model");
    await expect(row).toContainText("model is one of opus, sonnet");
    await fill(key);
    await expect(form.getByRole("alert")).toBeVisible();
    await expect(page.getByTestId("meters-table").getByRole("row").filter({ hasText: key })).toHaveCount(1);
  });

  test("product rates every customer of Pro v1 under Pro v2 in a stored run, opens its results, sorts, filters, exports, and the pages pass axe at 390 px", async ({ page }) => {
    test.setTimeout(120_000);
    await signIn(page, "product");
    await page.goto("/catalog");
    await page.getByRole("link", { name: "Pro v2 published" }).click();
    // The demo seed's finished run is listed before anyone starts one.
    const previous = page.getByTestId("simulation-runs");
    await expect(previous.getByRole("row").filter({ hasText: "done" }).first()).toBeVisible();
    const panel = page.getByTestId("plan-version-simulation");
    await expect(panel.getByLabel("Customers now on")).toHaveValue(/.+/);
    await panel.getByRole("button", { name: "Rate them under v2" }).click();
    // Computed in the background by the server's worker: progress, then the summary.
    await expect(panel.getByTestId("simulation-result")).toContainText(/\d+ customers on v1/, { timeout: 60_000 });
    await expect(panel.getByTestId("simulation-difference")).toHaveText(/^[+−]?\$[\d,]+\.\d{2}$/);
    await expect(panel.getByTestId("simulation-counts")).toContainText("Would pay more");
    await expect(previous.getByRole("row").filter({ hasText: "done" })).toHaveCount(2);

    await panel.getByTestId("simulation-results-link").click();
    await expect(page).toHaveURL(/\/catalog\/versions\/[0-9a-f-]+\/simulations\/[0-9a-f-]+$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Simulation of Pro v2");
    const rows = page.getByTestId("simulation-results-table").getByRole("row");
    await expect(rows.first()).toBeVisible();
    const count = await rows.count();
    expect(count).toBeGreaterThan(0);

    // Largest increase first: the difference column descending.
    await page.getByTestId("sort-difference").click();
    await page.getByTestId("sort-difference").click();
    await expect(page).toHaveURL(/sort=difference/);
    await expect(page).toHaveURL(/dir=desc/);
    await expect(page.getByRole("columnheader", { name: /Difference/ })).toHaveAttribute("aria-sort", "descending");
    await page.getByTestId("filter-change").selectOption("increase");
    await expect(page).toHaveURL(/change=increase/);
    await expect(rows.first()).toBeVisible();
    // The header and the URL change at once; the rows when the server's answer arrives.
    const shownDifferences = () => page.getByTestId("simulation-results-table").getByTestId("result-difference").allTextContents();
    const cents = (text: string) => Number(text.replace(/[^\d]/g, ""));
    await expect
      .poll(async () => {
        const shown = await shownDifferences();
        return shown.length > 0 && shown.every((text, index) => text.startsWith("+$") && (index === 0 || cents(shown[index - 1]!) >= cents(text)));
      })
      .toBe(true);
    await expect(page.getByTestId("simulation-results-data-table").locator('[aria-busy="true"]')).toHaveCount(0);
    const differences = await shownDifferences();

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("simulation-results-export").click()]);
    const lines = fs.readFileSync((await download.path())!, "utf8").trim().split(/\r?\n/);
    expect(lines[0]).toBe("Customer,External id,Customer id,Subscription,Period start,Period end,Now,Proposed,Difference");
    // The file is the whole view, not the page: as many rows as the page when there is no next page, more otherwise.
    if ((await page.getByTestId("simulation-results-next").count()) === 0) expect(lines.length - 1).toBe(differences.length);
    else expect(lines.length - 1).toBeGreaterThan(differences.length);
    for (const line of lines.slice(1)) expect(Number(line.split(",").at(-1))).toBeGreaterThan(0);

    const axe = async () =>
      (await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze()).violations
        .filter((each) => each.impact === "serious" || each.impact === "critical")
        .map((violation) => `${page.url()}: ${violation.id} ${violation.nodes.map((node) => node.target.join(" ")).slice(0, 3).join(", ")}`);
    const resultsUrl = page.url();
    const versionUrl = resultsUrl.replace(/\/simulations\/.*$/, "");
    await page.setViewportSize({ width: 390, height: 844 });
    for (const url of [resultsUrl, versionUrl]) {
      await page.goto(url);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await page.waitForLoadState("networkidle");
      const [scrollWidth, innerWidth] = await page.evaluate(() => [document.scrollingElement!.scrollWidth, window.innerWidth]);
      expect(scrollWidth, url).toBeLessThanOrEqual(innerWidth);
      expect(await axe()).toEqual([]);
    }
  });

  test("support reads plans and meters but cannot change them", async ({ page }) => {
    await signIn(page, "support");
    await page.goto("/catalog");
    await expect(page.getByTestId("plan-pro")).toBeVisible();
    await expect(page.getByRole("button", { name: "New plan" })).toHaveCount(0);
    await page.getByTestId("plan-pro").getByRole("link").first().click();
    await expect(page.getByTestId("plan-version-entitlements")).toContainText("agent_tokens");
    await expect(page.getByRole("button", { name: /New draft|Publish|Archive/ })).toHaveCount(0);
  });
});
