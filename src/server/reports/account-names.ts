import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";

export type AccountName = {
  /** What a person reads: "Ada Lovelace (usr_0001) · receivable", "Usage revenue · Agent". */
  name: string;
  /** Chart group for subtotals: receivables, unbilled usage, credit grants, cash, revenue, ... */
  group: string;
  customerName: string | null;
  customerExternalId: string | null;
};

const platformNames: Record<string, { name: string; group: string }> = {
  "revenue:breakage": { name: "Breakage revenue (paid credit expired unused)", group: "Revenue" },
  "expense:promotions": { name: "Promotions and goodwill expense", group: "Expenses" },
  "expense:bad_debt": { name: "Bad debt expense", group: "Expenses" },
  "expense:stripe_fees": { name: "Stripe processing fees", group: "Expenses" },
  "cash:stripe": { name: "Cash at Stripe", group: "Cash" },
  "cash:bank": { name: "Cash at bank (Stripe payouts)", group: "Cash" },
  rounding: { name: "Cent rounding", group: "Expenses" },
};

/**
 * Human names for ledger accounts: customer accounts by the customer's name and external id,
 * revenue by product or plan name, grants by category. Reads the customers, products, plans and
 * grants the codes name, in a handful of set-based queries.
 */
export async function nameAccounts(db: Db, accounts: ReadonlyArray<{ accountId: string; code: string; customerId: string | null }>): Promise<Map<string, AccountName>> {
  const customerIds = [...new Set(accounts.map((account) => account.customerId).filter((id): id is string => id !== null))];
  const grantIds = [...new Set(accounts.map((account) => /^customer:[^:]+:grant:(.+)$/.exec(account.code)?.[1]).filter((id): id is string => id !== undefined))].filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  const customers = new Map<string, { name: string; external_id: string }>();
  for (let offset = 0; offset < customerIds.length; offset += 5000) {
    const chunk = customerIds.slice(offset, offset + 5000);
    const rows = await executeRows<{ id: string; name: string; external_id: string }>(db, sql`select id, name, external_id from customers where id = any(${`{${chunk.join(",")}}`}::uuid[])`);
    for (const row of rows) customers.set(row.id, row);
  }
  const grants = new Map<string, { category: string; expires_at: string | null }>();
  for (let offset = 0; offset < grantIds.length; offset += 5000) {
    const chunk = grantIds.slice(offset, offset + 5000);
    const rows = await executeRows<{ id: string; category: string; expires_at: string | null }>(
      db,
      sql`select id, category, to_char(expires_at at time zone 'UTC', 'YYYY-MM-DD') as expires_at from credit_grants where id = any(${`{${chunk.join(",")}}`}::uuid[])`,
    );
    for (const row of rows) grants.set(row.id, row);
  }
  const catalog = await executeRows<{ type: string; key: string; name: string }>(
    db,
    sql`select 'product' as type, key, name from catalog_products union all select 'plan', key, name from catalog_plans`,
  );
  const products = new Map(catalog.filter((row) => row.type === "product").map((row) => [row.key, row.name]));
  const plans = new Map(catalog.filter((row) => row.type === "plan").map((row) => [row.key, row.name]));
  const result = new Map<string, AccountName>();
  for (const account of accounts) {
    const customer = account.customerId ? customers.get(account.customerId) : undefined;
    const who = customer ? `${customer.name} (${customer.external_id})` : account.customerId ? `Customer ${account.customerId.slice(0, 8)}` : null;
    const base = { customerName: customer?.name ?? null, customerExternalId: customer?.external_id ?? null };
    const parts = account.code.split(":");
    let named: { name: string; group: string };
    if (parts[0] === "customer" && parts[2] === "receivable") named = { name: `${who} · receivable`, group: "Receivables" };
    else if (parts[0] === "customer" && parts[2] === "unbilled") named = { name: `${who} · unbilled usage`, group: "Unbilled usage" };
    else if (parts[0] === "customer" && parts[2] === "grant") {
      const grant = grants.get(parts.slice(3).join(":"));
      const detail = grant ? `${grant.category} credit${grant.expires_at ? `, expires ${grant.expires_at}` : ""}` : "credit grant";
      named = { name: `${who} · ${detail}`, group: "Credit grants" };
    } else if (parts[0] === "revenue" && parts[1] === "usage") named = { name: `Usage revenue · ${products.get(parts[2] ?? "") ?? parts.slice(2).join(":")}`, group: "Revenue" };
    else if (parts[0] === "revenue" && parts[1] === "subscription") named = { name: `Subscription revenue · ${plans.get(parts[2] ?? "") ?? parts.slice(2).join(":")}`, group: "Revenue" };
    else {
      const [root, currency] = [parts.slice(0, 2).join(":"), parts[2]];
      const platform = platformNames[account.code] ?? platformNames[root] ?? null;
      named = platform
        ? { name: currency ? `${platform.name} (${currency.toUpperCase()})` : platform.name, group: platform.group }
        : { name: account.code, group: "Other" };
    }
    result.set(account.accountId, { ...named, ...base });
  }
  return result;
}
