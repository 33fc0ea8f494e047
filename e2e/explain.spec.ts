import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { sql } from "drizzle-orm";
import { openDatabase } from "@/db/client";
import { executeRows } from "@/db/execute";
import { formatMoney } from "@/lib/format";
import { signIn } from "./helpers";
import { e2eStateFile } from "./server";

async function withDatabase<T>(work: (db: Awaited<ReturnType<typeof openDatabase>>["db"]) => Promise<T>): Promise<T> {
  const { databaseUrl } = JSON.parse(fs.readFileSync(e2eStateFile, "utf8")) as { databaseUrl: string };
  const handle = await openDatabase({ url: databaseUrl, poolMax: 1 });
  try {
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

test.describe("explaining money", () => {
  test.afterAll(async () => {
    await withDatabase((db) => db.execute(sql`delete from stripe_charges where stripe_id like 'ch_e2e_explain_%'`));
  });

  test("support compares a customer's two invoices and reads the explanation of a usage line down to its events", async ({ page }) => {
    // A seeded customer with two period invoices whose later one bills usage.
    const [pick] = await withDatabase((db) =>
      executeRows<{ customer_id: string; customer_name: string; before_total: string; after_total: string; after_number: string; line_description: string; external_id: string }>(
        db,
        sql`select c.id as customer_id, c.name as customer_name, c.external_id, a.total_micros::text as before_total, b.total_micros::text as after_total,
                   b.number as after_number, l.description as line_description
            from customers c
            join invoices a on a.customer_id = c.id and a.kind = 'period'
            join invoices b on b.customer_id = c.id and b.kind = 'period' and b.period_start > a.period_start
            join invoice_lines l on l.invoice_id = b.id and l.kind = 'usage' and l.amount_micros > 0
            where not exists (select 1 from invoices o where o.customer_id = c.id and o.id not in (a.id, b.id))
            order by l.amount_micros desc limit 1`,
      ),
    );
    expect(pick, "the demo seed has a customer with two period invoices").toBeDefined();
    await signIn(page, "support");
    await page.goto(`/customers/${pick!.customer_id}`);
    await page.getByTestId("invoices-section").getByRole("link", { name: "Compare invoices" }).click();
    await expect(page.getByRole("heading", { name: "Compare invoices" })).toBeVisible();
    const delta = BigInt(pick!.after_total) - BigInt(pick!.before_total);
    const totals = page.getByTestId("compare-totals");
    await expect(totals).toContainText(formatMoney(BigInt(pick!.before_total), "usd", { precise: true }));
    await expect(totals).toContainText(formatMoney(BigInt(pick!.after_total), "usd", { precise: true }));
    await expect(totals).toContainText(formatMoney(delta, "usd", { precise: true, signed: true }));
    await expect(page.getByTestId("compare-lines").locator(`tr[data-line="${pick!.line_description}"]`)).toBeVisible();

    // From the later invoice, the usage line's explanation, then its events.
    await page.getByRole("link", { name: new RegExp(`^${pick!.after_number}`) }).first().click();
    await expect(page.getByRole("heading", { name: `Invoice ${pick!.after_number}` })).toBeVisible();
    await page.getByTestId("invoice-lines").getByRole("link", { name: pick!.line_description }).click();
    await expect(page.getByRole("heading", { name: pick!.line_description })).toBeVisible();
    const arithmetic = page.getByTestId("line-arithmetic");
    await expect(arithmetic).toContainText("Used in the service period");
    await expect(arithmetic).toContainText("Rounded once to the cent");
    await expect(arithmetic).toContainText("the pricing engine gives the same today");
    await expect(page.getByText(/the same as the line\.|more than when the line was billed/)).toBeVisible();
    const events = page.getByTestId("line-events");
    await expect(events.locator("tbody tr").first()).toBeVisible();
    const firstEventId = await events.locator("tbody tr").first().locator("td").nth(2).innerText();
    // The event shown is one of this customer's events, from the source the edge sent.
    const [stored] = await withDatabase((db) => executeRows<{ subject: string }>(db, sql`select subject from usage_events where event_id = ${firstEventId} limit 1`));
    expect(stored?.subject).toBe(pick!.external_id);
    const next = page.getByRole("link", { name: "Next events" });
    if (await next.isVisible()) {
      await next.click();
      await expect(page.getByTestId("line-events").locator("tbody tr").first()).not.toContainText(firstEventId);
    }
  });

  test("support answers 'was I charged twice?' from the customer's payments", async ({ page }) => {
    // Plant: the same card charged twice for the same amount 20 minutes apart (as Stripe's mirror would hold it), and one declined attempt.
    const [customer] = await withDatabase(async (db) => {
      const rows = await executeRows<{ id: string; name: string }>(db, sql`select id, name from customers where kind = 'team' order by created_at limit 1`);
      const customerId = rows[0]!.id;
      await db.execute(sql`insert into stripe_charges (stripe_id, customer_id, stripe_created, stripe_customer_id, amount, amount_captured, amount_refunded, currency, status, paid, captured,
                                refunded, disputed, description, card_brand, card_last4, card_exp_month, card_exp_year, failure_code, failure_message, outcome_reason)
        values ('ch_e2e_explain_double_1', ${customerId}, now() - interval '2 days', 'cus_e2e_explain', 24000, 24000, 0, 'usd', 'succeeded', true, true, false, false, 'Seats top-up', 'visa', '4242', 12, 2030, null, null, null),
               ('ch_e2e_explain_double_2', ${customerId}, now() - interval '2 days' + interval '20 minutes', 'cus_e2e_explain', 24000, 24000, 0, 'usd', 'succeeded', true, true, false, false, 'Seats top-up', 'visa', '4242', 12, 2030, null, null, null),
               ('ch_e2e_explain_declined', ${customerId}, now() - interval '3 days', 'cus_e2e_explain', 24000, 0, 0, 'usd', 'failed', false, false, false, false, 'Seats top-up', 'mastercard', '0005', 3, 2027, 'card_declined', 'Your card has insufficient funds.', 'insufficient_funds')
        on conflict (stripe_id) do nothing`);
      return rows;
    });
    await signIn(page, "support");
    await page.goto(`/customers/${customer!.id}`);
    const payments = page.getByTestId("customer-payments");
    const doubles = payments.locator("tr", { hasText: "possible double charge" });
    await expect(doubles).toHaveCount(2);
    await expect(doubles.first()).toContainText("$240.00");
    await expect(doubles.first()).toContainText("Visa •••• 4242");
    const declined = payments.locator('tr[data-charge="ch_e2e_explain_declined"]');
    await expect(declined).toContainText("insufficient funds");
    await expect(declined).not.toContainText("possible double charge");
  });
});
