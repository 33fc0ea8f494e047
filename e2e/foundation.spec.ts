import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

const roles = ["support", "product", "finance", "admin"] as const;

test.describe("sign-in and roles", () => {
  for (const role of roles) {
    test(`${role} signs in and sees the navigation their role allows`, async ({ page }) => {
      await signIn(page, role);
      const nav = page.getByRole("navigation", { name: "Console" });
      await expect(nav.getByRole("link", { name: "Customers" })).toBeVisible();
      const adminLinks = ["Users & roles", "Audit log", "Credit limits"].map((name) => nav.getByRole("link", { name }));
      for (const link of adminLinks) {
        if (role === "admin") await expect(link).toBeVisible();
        else await expect(link).toHaveCount(0);
      }
    });
  }

  test("a wrong password is refused with a message", async ({ page }) => {
    await page.goto("/sign-in");
    await page.getByLabel("Email").fill("support@tally.test");
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByTestId("sign-in-error")).toContainText("do not match");
  });

  test("signed-out visitors are sent to sign in", async ({ page }) => {
    await page.goto("/customers");
    await expect(page).toHaveURL(/\/sign-in/);
  });

  test("signing out ends the session", async ({ page }) => {
    await signIn(page, "finance");
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await page.goto("/customers");
    await expect(page).toHaveURL(/\/sign-in/);
  });
});

test.describe("forbidden", () => {
  test("support cannot open an admin page: the server answers 403", async ({ page }) => {
    await signIn(page, "support");
    const response = await page.goto("/admin/users");
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "You don’t have access to this page" })).toBeVisible();
  });

  test("support cannot call an admin procedure: FORBIDDEN, and no user is created", async ({ page }) => {
    await signIn(page, "support");
    const status = await page.evaluate(async () => {
      const response = await fetch("/api/trpc/user.create", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ json: { email: "sneaky@tally.test", name: "Sneaky", role: "admin" } }),
      });
      return response.status;
    });
    expect(status).toBe(403);
    await page.context().clearCookies();
    await signIn(page, "admin");
    await page.goto("/admin/users");
    await expect(page.getByTestId("user-row-admin@tally.test")).toBeVisible();
    await expect(page.getByTestId("user-row-sneaky@tally.test")).toHaveCount(0);
  });
});

test.describe("customers", () => {
  test("search by name, open the customer, and page through results", async ({ page }) => {
    await signIn(page, "support");
    await page.goto("/customers");
    const rows = page.getByTestId("customers-table").getByRole("row");
    await expect(rows).toHaveCount(25);
    await page.getByRole("button", { name: "Next page" }).click();
    await expect(rows.first()).toBeVisible();

    await page.getByLabel("Search customers").fill("lovelace");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await expect(rows.first()).toContainText("Lovelace");
    const count = await rows.count();
    for (let index = 0; index < count; index++) await expect(rows.nth(index)).toContainText(/lovelace/i);

    await rows.first().getByRole("link").click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Lovelace");
  });

  test("search by external id and by email", async ({ page }) => {
    await signIn(page, "product");
    await page.goto("/customers?q=org_");
    await expect(page.getByTestId("customers-table").getByRole("row").first()).toContainText("org_");
    await page.goto("/customers?q=%40example.dev");
    await expect(page.getByTestId("customers-table").getByRole("row").first()).toContainText("@example.dev");
  });

  test("a search with no match says so", async ({ page }) => {
    await signIn(page, "finance");
    await page.goto("/customers?q=zzzz-no-such-customer");
    await expect(page.getByTestId("customers-empty")).toContainText("No customer matches");
  });

  test("support edits a customer with a reason and it shows on the timeline", async ({ page }) => {
    await signIn(page, "support");
    await page.goto("/customers?q=org_");
    await page.getByTestId("customers-table").getByRole("row").first().getByRole("link").click();
    await page.getByRole("button", { name: "Edit details" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Reason").fill("Customer asked to update billing contact");
    await dialog.getByLabel("Email").fill("accounts@renamed.example");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect(page.getByTestId("customer-timeline")).toContainText("customer.update");
    await expect(page.getByTestId("customer-timeline")).toContainText("Customer asked to update billing contact");
  });
});

test.describe("admin", () => {
  test("admin sees the audit log with the changes people made", async ({ page }) => {
    await signIn(page, "admin");
    await page.goto("/admin/audit?action=customer.update");
    await expect(page.getByTestId("audit-table")).toContainText("support@tally.test");
  });
});
