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
    await page.getByLabel("Key").fill(key);
    await page.getByLabel("Name").fill("E2E Plus");
    await page.getByRole("button", { name: "New plan" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("E2E Plus v1");
    await expect(page.getByTestId("plan-version-status")).toHaveText("draft");

    // Tiers that go down instead of up: saved as a draft, refused at publish with the reason.
    await page.getByRole("textbox", { name: "Terms" }).fill(terms([{ upTo: "1000", unitPrice: "0.01" }, { upTo: "500", unitPrice: "0.005" }]));
    await page.getByRole("button", { name: "Save draft" }).click();
    await expect(page.getByText("Saved.")).toBeVisible();
    await page.getByLabel("Why").fill("Launch the Plus tier");
    await page.getByRole("button", { name: "Publish" }).click();
    await expect(page.getByTestId("plan-version-error")).toContainText("cannot be published");
    await expect(page.getByTestId("plan-version-status")).toHaveText("draft");

    await page.getByRole("textbox", { name: "Terms" }).fill(terms([{ upTo: "1000", unitPrice: "0.01" }, { upTo: null, unitPrice: "0.005" }]));
    await page.getByRole("button", { name: "Save draft" }).click();
    await expect(page.getByText("Saved.")).toBeVisible();
    await page.getByRole("button", { name: "Publish" }).click();
    await expect(page.getByTestId("plan-version-status")).toHaveText("published");
    await expect(page.getByTestId("plan-version-fee")).toHaveText("$15.00 a month");
    await expect(page.getByTestId("plan-version-prices")).toContainText("2 tiers (graduated");

    await page.getByRole("button", { name: "New draft from this version" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("E2E Plus v2");
    await expect(page.getByTestId("plan-version-status")).toHaveText("draft");
    await expect(page.getByTestId("plan-version-fee")).toHaveText("$15.00 a month");
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
