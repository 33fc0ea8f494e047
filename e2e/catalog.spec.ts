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

  test("product rates the customers of Pro v1 under Pro v2 before moving anyone", async ({ page }) => {
    await signIn(page, "product");
    await page.goto("/catalog");
    await page.getByRole("link", { name: "Pro v2 published" }).click();
    const panel = page.getByTestId("plan-version-simulation");
    await expect(panel.getByLabel("Customers now on")).toHaveValue(/.+/);
    await panel.getByRole("button", { name: "Rate them under v2" }).click();
    await expect(panel.getByTestId("simulation-result")).toContainText(/\d+ customers/);
    await expect(panel.getByTestId("simulation-difference")).toHaveText(/^[+−]?\$[\d,]+\.\d{2}$/);
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
