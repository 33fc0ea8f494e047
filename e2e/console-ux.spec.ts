import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { signIn } from "./helpers";

const roles = ["support", "product", "finance", "admin"] as const;

/**
 * Every page in the navigation the role sees, plus one detail page of each kind reachable from it
 * (a customer, an invoice, a plan version, a promotion, a ledger account and one of its
 * transactions, a report, a webhook endpoint), and the customer's own lists (notes, API activity,
 * its Stripe events) for the roles that may read them.
 */
async function consolePages(page: Page, role: (typeof roles)[number]): Promise<string[]> {
  await page.goto("/");
  const nav = page.getByRole("navigation", { name: "Console" });
  const hrefs = await nav.getByRole("link").evaluateAll((links) => links.map((link) => link.getAttribute("href") ?? ""));
  const pages = new Set(hrefs);
  const firstLink = async (path: string, prefix: string, exclude?: RegExp): Promise<string | null> => {
    await page.goto(path);
    const all = await page.locator(`main a[href^="${prefix}"]`).evaluateAll((links) => links.map((link) => link.getAttribute("href") ?? ""));
    const href = all.find((each) => each !== path && !(exclude && exclude.test(each))) ?? null;
    if (href) pages.add(href);
    return href;
  };
  const visible = (path: string) => hrefs.includes(path);
  if (visible("/customers")) {
    // The customer's own lists; the payments page's link shows only when the customer has payments.
    const customer = await firstLink("/customers", "/customers/");
    if (customer) {
      pages.add(`${customer}/notes`);
      pages.add(`${customer}/payments`);
      if (role !== "finance") pages.add(`${customer}/api-activity`);
      if (role === "admin") pages.add(`/admin/webhooks?customer=${customer.split("/").at(-1)}`);
    }
  }
  if (visible("/invoices")) await firstLink("/invoices", "/invoices/");
  if (visible("/catalog")) await firstLink("/catalog", "/catalog/versions/");
  if (visible("/metering")) await firstLink("/metering", "/metering/unknown-subjects");
  if (visible("/promotions")) {
    await firstLink("/promotions", "/promotions/", /\/promotions\/new$/);
    await firstLink("/promotions", "/promotions/new");
  }
  if (visible("/ledger")) {
    const account = await firstLink("/ledger", "/ledger/accounts/");
    if (account) await firstLink(account, "/ledger/transactions/");
  }
  if (visible("/reports")) await firstLink("/reports", "/reports/", /\/reports\/periods$/);
  if (visible("/admin/webhook-endpoints")) await firstLink("/admin/webhook-endpoints", "/admin/webhook-endpoints/");
  return [...pages];
}

/** Serious and critical axe violations on the current page, one line each. */
async function axeFailures(page: Page, path: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((each) => each.impact === "serious" || each.impact === "critical")
    .map((violation) => `${path}: ${violation.id} (${violation.impact}) ${violation.nodes.map((node) => node.target.join(" ")).slice(0, 3).join(", ")}`);
}

test.describe("accessibility", () => {
  const minimumPages = { support: 15, product: 8, finance: 17, admin: 20 } as const;
  for (const role of roles) {
    // One sign-in per role; each page is loaded once in that context and scanned.
    test(`every console page passes axe for ${role} (no serious or critical violation)`, async ({ page }) => {
      test.setTimeout(240_000);
      await signIn(page, role);
      const pages = await consolePages(page, role);
      expect(pages.length, pages.join(" ")).toBeGreaterThanOrEqual(minimumPages[role]);
      const failures: string[] = [];
      for (const path of pages) {
        const response = await page.goto(path);
        expect(response?.status(), path).toBe(200);
        await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
        failures.push(...(await axeFailures(page, path)));
      }
      expect(failures).toEqual([]);
    });
  }

  test("the sign-in page and a not-found page pass axe too", async ({ page }) => {
    await page.goto("/sign-in");
    const failures = await axeFailures(page, "/sign-in");
    await signIn(page, "support");
    expect((await page.goto("/customers/00000000-0000-0000-0000-000000000000"))?.status()).toBe(404);
    failures.push(...(await axeFailures(page, "404")));
    expect(failures).toEqual([]);
  });

  test("a skip link leads past the navigation, and the sign-in page starts in the email field", async ({ page }) => {
    await page.goto("/sign-in");
    await expect(page.getByLabel("Email")).toBeFocused();
    await signIn(page, "support");
    // A fresh page load: the first Tab reaches the skip link before anything else.
    await page.goto("/customers");
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "Skip to main content" });
    await expect(skip).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page.locator("main#main")).toBeFocused();
  });
});

test.describe("customer lists", () => {
  test("the customer page links to every note, API request and Stripe event; each list pages, sorts, filters, exports and keeps its view in the URL", async ({ page }) => {
    test.setTimeout(120_000);
    await signIn(page, "admin");
    await page.goto("/customers");
    const customer = (await page.locator('main a[href^="/customers/"]').first().getAttribute("href"))!;
    await page.goto(customer);
    await expect(page.getByTestId("all-notes")).toContainText("(120)");
    await page.getByTestId("all-notes").click();
    await expect(page).toHaveURL(new RegExp(`${customer}/notes$`));
    const notes = page.getByTestId("customer-notes-table").getByRole("row");
    await expect(notes).toHaveCount(50);
    await page.getByTestId("customer-notes-next").click();
    await expect(page).toHaveURL(/cursor=/);
    await expect(notes).toHaveCount(50);
    await page.getByTestId("sort-author").click();
    await expect(page).toHaveURL(/sort=author/);
    await expect(page).not.toHaveURL(/cursor=/);
    await page.getByTestId("filter-author").selectOption({ label: "support@tally.test" });
    await expect(page).toHaveURL(/author=/);
    await page.reload();
    await expect(page.getByTestId("filter-author").locator("option:checked")).toHaveText("support@tally.test");
    await expect(notes.first()).toContainText("support@tally.test");
    const notesCsv = await page.request.get((await page.getByTestId("customer-notes-export").getAttribute("href"))!);
    expect(notesCsv.status()).toBe(200);
    const noteLines = (await notesCsv.text()).trim().split("\n");
    expect(noteLines).toHaveLength(1 + 60);
    expect(noteLines.slice(1).every((line) => line.includes(",support@tally.test,"))).toBe(true);

    await page.goto(customer);
    await page.getByTestId("all-api-activity").click();
    await expect(page).toHaveURL(new RegExp(`${customer}/api-activity$`));
    const requests = page.getByTestId("api-requests-table").getByRole("row");
    await expect(requests).toHaveCount(50);
    await page.getByTestId("filter-status").selectOption("5xx");
    await expect(page).toHaveURL(/status=5xx/);
    await expect(requests.first()).toContainText("500");
    await page.getByTestId("sort-duration").click();
    await expect(page).toHaveURL(/sort=duration/);
    const requestsCsv = await page.request.get((await page.getByTestId("api-requests-export").getAttribute("href"))!);
    const requestLines = (await requestsCsv.text()).trim().split("\n");
    expect(requestLines).toHaveLength(1 + 25);
    expect(requestLines.slice(1).every((line) => line.includes(",500,"))).toBe(true);

    await page.goto(customer);
    await page.getByTestId("all-webhook-events").click();
    await expect(page).toHaveURL(/\/admin\/webhooks\?customer=/);
    await expect(page.getByTestId("webhook-events-customer")).toBeVisible();
    const events = page.getByTestId("webhook-events-table").getByRole("row");
    await expect(events).toHaveCount(50);
    await page.getByTestId("filter-type").selectOption("invoice.paid");
    await expect(page).toHaveURL(/customer=.*type=invoice\.paid|type=invoice\.paid.*customer=/);
    await expect(events).toHaveCount(18);
    const eventsCsv = await page.request.get((await page.getByTestId("webhook-events-export").getAttribute("href"))!);
    expect((await eventsCsv.text()).trim().split("\n")).toHaveLength(1 + 18);
  });
});

test.describe("layout", () => {
  test("at 390 px the sidebar is a menu and pages do not scroll sideways (tables scroll inside their card)", async ({ page }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: 390, height: 844 });
    await signIn(page, "admin");
    // A demo customer whose email and external id are too long for one line: the header must wrap, not push the page wide.
    await page.goto("/customers?q=org_anomaly_northwind");
    const customer = await page.locator('main a[href^="/customers/"]').first().getAttribute("href");
    await page.goto("/ledger");
    const account = await page.locator('main a[href^="/ledger/accounts/"]').first().getAttribute("href");
    await page.goto("/promotions");
    const promotion = await page.locator('main a[href^="/promotions/"]:not([href="/promotions/new"])').first().getAttribute("href");
    expect(customer && account && promotion).toBeTruthy();
    for (const path of ["/", "/invoices", "/customers", customer!, "/health", account!, "/anomalies?status=all", "/credits/approvals", promotion!, "/admin/webhooks/sync-failures", `${customer!}/credits`, `${customer!}/notes`, `${customer!}/api-activity`]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await page.waitForLoadState("networkidle");
      const [scrollWidth, innerWidth] = await page.evaluate(() => [document.scrollingElement!.scrollWidth, window.innerWidth]);
      expect(scrollWidth, path).toBeLessThanOrEqual(innerWidth);
    }
    // A list's toolbar wraps on the phone: the search box takes its own row, wide enough to type in,
    // and its button does not sit on top of the filters.
    await page.goto("/customers");
    const search = page.locator('main form[role="search"]');
    const searchBox = (await search.locator("input").boundingBox())!;
    expect(searchBox.width).toBeGreaterThan(200);
    const button = (await search.getByRole("button", { name: "Search" }).boundingBox())!;
    const filter = (await page.getByTestId("filter-status").boundingBox())!;
    expect(button.y + button.height <= filter.y || filter.y + filter.height <= button.y || button.x + button.width <= filter.x || filter.x + filter.width <= button.x).toBe(true);
    await page.goto(account!);
    // The statement table is wider than the phone: it scrolls inside its own box, which takes keyboard focus.
    const statement = page.getByTestId("account-statement-table").locator("xpath=ancestor::div[@tabindex='0'][1]");
    const [tableScrollWidth, tableClientWidth] = await statement.evaluate((box) => [box.scrollWidth, box.clientWidth]);
    expect(tableScrollWidth).toBeGreaterThan(tableClientWidth);
    await page.getByRole("button", { name: "Open menu" }).click();
    await page.getByRole("dialog").getByRole("link", { name: "Trial balance" }).click();
    await expect(page).toHaveURL(/\/ledger\/trial-balance/);
  });

  test("one navigation item is active, even under a section's own page", async ({ page }) => {
    await signIn(page, "finance");
    await page.goto("/ledger/trial-balance");
    const nav = page.getByRole("navigation", { name: "Console" });
    await expect(nav.locator('[aria-current="page"]')).toHaveCount(1);
    await expect(nav.locator('[aria-current="page"]')).toHaveText("Trial balance");
  });

  test("unknown things answer 404; the home page shows each role its numbers", async ({ page }) => {
    await signIn(page, "finance");
    for (const path of ["/customers/00000000-0000-0000-0000-000000000000", "/customers/not-an-id", "/invoices/00000000-0000-0000-0000-000000000000", "/catalog/versions/00000000-0000-0000-0000-000000000000", "/no-such-page"]) {
      expect((await page.goto(path))?.status(), path).toBe(404);
    }
    expect((await page.request.get("/favicon.ico")).status()).toBe(200);
    await page.goto("/");
    await expect(page.getByTestId("home-revenue")).toContainText("$");
    await expect(page.getByTestId("home-discrepancies")).toHaveAttribute("href", "/health");
    await expect(page.getByTestId("home-dunning")).toContainText("1");
    await page.getByTestId("home-credit-requests").click();
    await expect(page).toHaveURL(/\/credits\/approvals/);
  });

  test("home: support sees open anomalies", async ({ page }) => {
    await signIn(page, "support");
    await page.goto("/");
    await expect(page.getByTestId("home-anomalies")).toContainText("Open anomalies");
    await page.getByTestId("home-anomalies").click();
    await expect(page).toHaveURL(/\/anomalies\?status=open|\/customers\?sort=anomalies&dir=desc/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(/Anomalies|Customers/);
  });

  test("home: admin sees the billing health verdict and follows it", async ({ page }) => {
    await signIn(page, "admin");
    await page.goto("/");
    const health = page.getByTestId("home-health");
    await expect(health).toContainText(/Healthy|Needs a look|Not healthy/);
    await health.click();
    await expect(page).toHaveURL(/\/health$/);
    await expect(page.getByTestId("health-verdict")).toBeVisible();
  });
});

test.describe("price editor", () => {
  test("product builds a graduated price in the form, sees the preview, and publishes", async ({ page }) => {
    const key = `e2e_form_${Date.now().toString(36)}`;
    await signIn(page, "product");
    await page.goto("/catalog");
    const newPlan = page.getByRole("form", { name: "New plan" });
    await newPlan.getByLabel("Key").fill(key);
    await newPlan.getByLabel("Name").fill("E2E Form");
    await newPlan.getByRole("button", { name: "New plan" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("E2E Form v1");

    await page.getByLabel("Base fee per seat").fill("12.50");
    await page.getByRole("button", { name: "Add a usage price" }).click();
    await page.getByRole("combobox", { name: "Meter of usage price 1" }).click();
    await page.getByPlaceholder("Search meters…").fill("agent req");
    await page.getByTestId("picker-option-agent_requests").click();
    const price = page.getByTestId("usage-price-0");
    await price.getByLabel("Pricing model").selectOption("graduated");
    await price.getByLabel("Included quantity").fill("100");
    await price.getByLabel("Tier 1 up to").fill("1000");
    await price.getByLabel("Tier 1 price per unit").fill("0.01");
    await price.getByLabel("Tier 2 price per unit").fill("0.005");
    await price.getByLabel("Tier 2 flat fee").fill("2");

    // 2,600 requests: 100 included, 1,000 at $0.01, 1,500 at $0.005 + $2 flat = $10 + $9.50 = $19.50.
    await price.getByLabel("Preview: sample quantity").fill("2600");
    const preview = price.getByTestId("price-preview");
    await expect(preview.getByTestId("price-preview-lines")).toContainText("Tier 1 (0–1,000): 1,000 × $0.01 = $10.00");
    await expect(preview.getByTestId("price-preview-lines")).toContainText("Tier 2 (above 1,000): 1,500 × $0.005 + $2.00 flat = $9.50");
    await expect(preview.getByTestId("price-preview-total")).toHaveText("2,600 units cost $19.50");

    // A bad tier is reported next to it, in words.
    await price.getByLabel("Tier 1 price per unit").fill("one cent");
    await page.getByRole("button", { name: "Save draft" }).click();
    await expect(price.getByTestId("field-error-usagePrices.0.price.tiers.0.unitPrice")).toHaveText("Enter a number such as 0.000002 (digits and one decimal point).");
    await price.getByLabel("Tier 1 price per unit").fill("0.01");
    await page.getByRole("button", { name: "Save draft" }).click();
    await expect(page.getByText("Draft saved. Publish when it is ready.")).toBeVisible();

    await page.getByRole("button", { name: "Publish…" }).click();
    const dialog = page.getByTestId("reason-dialog");
    await expect(dialog).toContainText("never changes");
    await dialog.getByRole("button", { name: "Publish" }).click();
    await expect(dialog.getByText("Say why (at least 3 characters).")).toBeVisible();
    await dialog.getByLabel("Reason").fill("Launch the form-built plan");
    await dialog.getByRole("button", { name: "Publish" }).click();
    await expect(page.getByText("E2E Form v1 is published.")).toBeVisible();
    await expect(page.getByTestId("plan-version-status")).toHaveText("published");
    await expect(page.getByTestId("plan-version-fee")).toHaveText("$12.50 a month");
    await expect(page.getByTestId("plan-version-prices")).toContainText("2 tiers (graduated");
  });
});
