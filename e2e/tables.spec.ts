import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { signIn } from "./helpers";

/** Parses the export's CSV (quoted cells, no embedded newlines in the demo data). */
function csvRows(text: string): string[][] {
  return text
    .trim()
    .split(/\r?\n/)
    .map((line) => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].slice(0, -1).map((match) => match[1]!.replace(/^"|"$/g, "").replace(/""/g, '"')));
}

test.describe("console lists", () => {
  test("support sorts customers by balance due, filters by status (trialing), and the URL restores the view after reload", async ({ page }) => {
    await signIn(page, "support");
    await page.goto("/customers");
    const rows = page.getByTestId("customers-table").getByRole("row");
    await expect(rows).toHaveCount(25);

    await page.getByTestId("filter-status").selectOption("trialing");
    await expect(page).toHaveURL(/status=trialing/);
    await page.getByTestId("sort-balance").click();
    await page.getByTestId("sort-balance").click();
    await expect(page).toHaveURL(/sort=balance/);
    await expect(page).toHaveURL(/dir=desc/);
    await expect(page.getByRole("columnheader", { name: /Balance due/ })).toHaveAttribute("aria-sort", "descending");
    const count = await rows.count();
    expect(count).toBeGreaterThan(0);
    for (let index = 0; index < count; index++) await expect(rows.nth(index)).toContainText("Trialing");

    await page.reload();
    await expect(page.getByTestId("filter-status")).toHaveValue("trialing");
    await expect(page.getByRole("columnheader", { name: /Balance due/ })).toHaveAttribute("aria-sort", "descending");
    await expect(rows).toHaveCount(count);

    // Hidden columns are part of the view too.
    await page.getByRole("button", { name: "Columns" }).click();
    await page.getByRole("checkbox", { name: "Email" }).uncheck();
    await expect(page).toHaveURL(/hide=email/);
    await page.keyboard.press("Escape");
    await page.reload();
    await expect(page.getByRole("columnheader", { name: "Email" })).toHaveCount(0);

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("customers-export").click()]);
    const table = csvRows(fs.readFileSync((await download.path())!, "utf8"));
    expect(table[0]).toContain("Balance due");
    const status = table[0]!.indexOf("Status");
    expect(table.length - 1).toBeGreaterThanOrEqual(count);
    for (const row of table.slice(1)) expect(row[status]).toBe("trialing");
  });
});
