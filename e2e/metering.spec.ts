import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { demoCustomers } from "../src/server/customers/seed-customers";
import { signIn } from "./helpers";

/** A team on a live plan: the demo seed gives teams a month of agent and review usage. */
const team = demoCustomers().find((customer) => customer.kind === "team")!;

async function createKey(page: Page, name: string, scopes: ("ingest" | "entitlements" | "read")[]): Promise<string> {
  await page.goto("/admin/api-keys");
  await page.getByLabel("Name").fill(name);
  for (const scope of ["ingest", "entitlements", "read"] as const) {
    await page.getByRole("checkbox", { name: new RegExp(`^${scope} `) }).setChecked(scopes.includes(scope));
  }
  await page.getByLabel("Reason").fill("e2e: a key for the edge gateway");
  await page.getByRole("button", { name: "Create key" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("will not be shown again");
  const key = (await dialog.getByTestId("new-api-key").textContent())?.trim() ?? "";
  expect(key).toMatch(/^tly_/);
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(dialog).toHaveCount(0);
  return key;
}

function postEvents(request: APIRequestContext, key: string, ids: string[]) {
  return request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${key}`, "content-type": "application/cloudevents-batch+json" },
    data: ids.map((id) => ({
      specversion: "1.0",
      id,
      source: "e2e/edge",
      type: "agent.request",
      subject: team.externalId,
      time: new Date().toISOString(),
      data: {},
    })),
  });
}

async function acceptedLastHour(page: Page): Promise<number> {
  await page.goto("/metering?range=hour");
  return Number((await page.getByTestId("ingestion-accepted").textContent())?.replace(/,/g, ""));
}

test.describe("API keys and ingestion", () => {
  test("admin creates keys shown once; a read key cannot ingest, an ingest key can until revoked; ingestion counts it", async ({ page, request }) => {
    await signIn(page, "admin");
    await expect(page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "API keys" })).toBeVisible();
    const stamp = Date.now();

    const readKey = await createKey(page, `e2e reader ${stamp}`, ["read"]);
    const readRow = page.getByRole("row", { name: new RegExp(`e2e reader ${stamp}`) });
    await expect(readRow).toContainText("active");
    await expect(readRow).toContainText(readKey.slice(0, 8));
    await expect(page.getByText(readKey)).toHaveCount(0);
    const refused = await postEvents(request, readKey, [`e2e-${stamp}-refused`]);
    expect(refused.status()).toBe(403);
    expect((await refused.json()).error.code).toBe("insufficient_scope");

    const before = await acceptedLastHour(page);
    const ingestKey = await createKey(page, `e2e ingest ${stamp}`, ["ingest"]);
    const accepted = await postEvents(request, ingestKey, [`e2e-${stamp}-1`, `e2e-${stamp}-2`]);
    expect(accepted.status()).toBe(200);
    const body = await accepted.json();
    expect(body.results.map((result: { status: string }) => result.status)).toEqual(["accepted", "accepted"]);
    expect(await acceptedLastHour(page)).toBeGreaterThanOrEqual(before + 2);
    await expect(page.getByTestId("ingestion-rate-chart")).toBeVisible();

    await page.goto("/admin/api-keys");
    const ingestRow = page.getByRole("row", { name: new RegExp(`e2e ingest ${stamp}`) });
    await ingestRow.getByRole("button", { name: "Revoke" }).click();
    await page.getByRole("dialog").getByLabel("Reason").fill("e2e: rotating the key");
    await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
    await expect(ingestRow).toContainText("revoked");
    await expect(ingestRow.getByRole("button", { name: "Revoke" })).toHaveCount(0);
    const afterRevoke = await postEvents(request, ingestKey, [`e2e-${stamp}-3`]);
    expect(afterRevoke.status()).toBe(401);
    expect((await afterRevoke.json()).error.code).toBe("invalid_api_key");
  });

  test("support sees ingestion, the unknown subjects and a customer's usage by model", async ({ page }) => {
    await signIn(page, "support");
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Ingestion" }).click();
    await expect(page.getByRole("heading", { name: "Ingestion" })).toBeVisible();
    await expect(page.getByTestId("unknown-subjects-table")).toContainText("usr_9001_pending-signup");
    await expect(page.getByTestId("unknown-subjects-table")).toContainText("No customer has this external id yet");

    await page.goto(`/customers/${team.externalId}`);
    const section = page.getByTestId("usage-section");
    await expect(section.getByRole("heading", { name: "Usage" })).toBeVisible();
    await section.getByLabel("Meter").selectOption({ label: "LLM tokens" });
    await expect(section.getByTestId("usage-chart")).toBeVisible();
    await section.getByLabel("Group by").selectOption("model");
    await expect(section.getByTestId("usage-totals")).toContainText("sonnet");
    await section.getByLabel("Period").selectOption({ label: "Last 30 days" });
    await expect(section.getByTestId("usage-chart")).toBeVisible();
    // The cost view: the same usage valued at the customer's own prices, per model, with a total in money.
    await section.getByLabel("Period").selectOption({ index: 0 });
    await section.getByLabel("Show").selectOption("cost");
    await expect(section.getByTestId("usage-cost-chart")).toBeVisible();
    await expect(section.getByTestId("usage-cost-totals")).toContainText("sonnet");
    await expect(section.getByTestId("usage-cost-total")).toHaveText(/^\$[\d,]+\.\d{2,}/);
  });
});
