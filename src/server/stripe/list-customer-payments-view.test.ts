import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeRows } from "@/db/execute";
import { exportListResponse } from "@/server/api/lists/export-list";
import { listExports } from "@/server/api/lists/registry";
import { isDomainError } from "@/server/errors";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { customerPaymentSortKeys, listCustomerPaymentsView, type ListCustomerPaymentsViewInput } from "./list-customer-payments-view";
import { insertCustomer } from "./test-support";

let database: TestDatabase;
let customerId: string;
let otherCustomerId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  customerId = await insertCustomer(database.db, "payments-view");
  otherCustomerId = await insertCustomer(database.db, "payments-other");
  // 80 charges in bursts (ties on created) and few amounts (ties on amount); another customer's charges in between.
  await database.db.execute(sql`
    insert into stripe_charges (stripe_id, customer_id, stripe_created, amount, amount_captured, amount_refunded, currency, status, paid, captured, refunded, disputed,
                                card_brand, card_last4, failure_code, failure_message, outcome_reason)
    select 'ch_' || lpad(g::text, 4, '0'), case when g % 10 = 0 then ${otherCustomerId}::uuid else ${customerId}::uuid end,
           timestamptz '2026-03-01' + (g / 4) * interval '1 hour', 1000 * (1 + g % 5), 0, case when g % 9 = 0 then 500 else 0 end, 'usd',
           (array['succeeded','succeeded','failed','pending'])[1 + g % 4], g % 4 < 2, g % 4 < 2, false, false,
           'visa', '4242', case when g % 4 = 2 then 'card_declined' end, case when g % 4 = 2 then 'Your card was declined.' end,
           case when g % 4 = 2 then 'insufficient_funds' end
    from generate_series(1, 80) g`);
  await database.db.execute(sql`
    insert into stripe_refunds (stripe_id, customer_id, stripe_created, charge_id, amount, currency, status, reason)
    select 're_' || stripe_id, customer_id, stripe_created + interval '1 day', stripe_id, amount_refunded, currency, 'succeeded', 'requested_by_customer'
    from stripe_charges where amount_refunded > 0`);
});
afterAll(async () => {
  await database.drop();
});

async function all(input: Omit<ListCustomerPaymentsViewInput, "cursor">): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 500; page++) {
    const result = await listCustomerPaymentsView(database.db, { ...input, cursor });
    ids.push(...result.items.map((payment) => payment.chargeId));
    if (!result.nextCursor) return ids;
    cursor = result.nextCursor;
  }
  throw new Error("too many pages");
}

describe("listCustomerPaymentsView", () => {
  it("pages every charge of the customer once in the order of each sort, both directions, with and without a status filter", async () => {
    const columns = { created: "stripe_created", amount: "amount" };
    for (const sort of customerPaymentSortKeys) {
      for (const direction of ["asc", "desc"] as const) {
        for (const status of [undefined, "failed", "succeeded"] as const) {
          const expected = await executeRows<{ stripe_id: string }>(
            database.db,
            sql`select stripe_id from stripe_charges where customer_id = ${customerId} and (${status ?? null}::text is null or status = ${status ?? null})
                order by ${sql.raw(columns[sort])} ${sql.raw(direction)}, stripe_id ${sql.raw(direction)}`,
          );
          expect(expected.length).toBeGreaterThan(10);
          for (const limit of [1, 7, 500]) {
            expect(await all({ customerId, status, sort, direction, limit }), `${sort} ${direction} ${status} ${limit}`).toEqual(expected.map((row) => row.stripe_id));
          }
        }
      }
    }
  });

  it("lists the newest first by default, with card, failure and refunds", async () => {
    const page = await listCustomerPaymentsView(database.db, { customerId, limit: 3 });
    expect(page.items.map((payment) => payment.chargeId)).toEqual(["ch_0079", "ch_0078", "ch_0077"]);
    const declined = page.items.find((payment) => payment.chargeId === "ch_0078")!;
    expect(declined).toMatchObject({ status: "failed", cardLast4: "4242", declineCode: "insufficient_funds", amountMicros: 40_000_000n });
    const [refunded] = (await listCustomerPaymentsView(database.db, { customerId, sort: "created", limit: 9 })).items.slice(-1);
    expect(refunded).toMatchObject({ chargeId: "ch_0009", amountRefundedMicros: 5_000_000n, refunds: [{ stripeId: "re_ch_0009", amountMicros: 5_000_000n }] });
  });

  it("refuses a cursor of another sort, and exports the view", async () => {
    const first = await listCustomerPaymentsView(database.db, { customerId, limit: 3 });
    await listCustomerPaymentsView(database.db, { customerId, sort: "amount", direction: "desc", cursor: first.nextCursor!, limit: 3 }).then(
      () => expect.fail("accepted"),
      (error: unknown) => expect(isDomainError(error) && error.code).toBe("cursor_invalid"),
    );
    const response = await exportListResponse(database.db, listExports.payments!, new URLSearchParams({ customer: customerId, status: "failed", sort: "amount", dir: "desc" }));
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split("\n");
    expect(lines[0]).toBe("Charge,Created,Currency,Amount,Refunded,Status,Disputed,Card,Failure,Decline code,Invoice,Stripe invoice,Payment intent");
    expect(lines.slice(1).map((line) => line.split(",")[0])).toEqual(await all({ customerId, status: "failed", sort: "amount", direction: "desc", limit: 100 }));
    expect(lines[1]).toMatch(/^ch_\d{4},2026-03-\d\dT\d\d:00:00.000Z,usd,\d+\.000000,0\.000000,failed,no,visa 4242,Your card was declined\.,insufficient_funds,,,$/);
    const refused = await exportListResponse(database.db, listExports.payments!, new URLSearchParams({ status: "failed" }));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: "parameter_invalid", param: "customer" } });
  });
});
