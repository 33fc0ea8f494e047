import { expect, type Page } from "@playwright/test";

export const demoPassword = "tally-demo";

export async function signIn(page: Page, role: "support" | "product" | "finance" | "admin"): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(`${role}@tally.test`);
  await page.getByLabel("Password").fill(demoPassword);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("signed-in-role")).toHaveText(role);
}
