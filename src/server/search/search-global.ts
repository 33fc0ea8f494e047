import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";

export type SearchScope = "customers" | "invoices" | "promotions";

export type SearchHit = {
  kind: "customer" | "invoice" | "promotion";
  id: string;
  title: string;
  detail: string;
  /** Where the console shows it. */
  href: string;
  /** Why it matched, e.g. "Stripe invoice in_…" (empty for a plain text match). */
  matchedBy: string;
};

export type SearchGlobalInput = { query: string; scopes: SearchScope[]; limitPerKind?: number };

export const searchQueryLengthMin = 3;

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/**
 * ⌘K: one query, every kind of object a person looks for, each kind bounded by `limitPerKind`.
 * Ids are matched exactly through their unique indexes (Stripe customer `cus_…`, subscription
 * `sub_…` and invoice `in_…`, customer uuid, external id); text is matched anywhere, case-insensitive,
 * through trigram GIN indexes (customers' name/email/external id, invoice numbers, promotion codes),
 * so it stays fast on a million customers. A query shorter than 3 characters finds nothing:
 * trigrams need three.
 */
export async function searchGlobal(db: Db, input: SearchGlobalInput): Promise<SearchHit[]> {
  const query = input.query.trim();
  if (query.length < searchQueryLengthMin) return [];
  const limit = Math.min(Math.max(1, input.limitPerKind ?? 6), 20);
  const lower = query.toLowerCase();
  const hits: SearchHit[] = [];
  const scopes = new Set(input.scopes);
  if (scopes.has("customers")) {
    const rows = await executeRows<{ id: string; name: string; email: string; external_id: string; matched_by: string }>(
      db,
      sql`(select c.id, c.name, c.email, c.external_id, 'Stripe customer ' || sc.stripe_id as matched_by
           from stripe_customers sc join customers c on c.id = sc.customer_id where sc.stripe_id = ${query})
          union all
          (select c.id, c.name, c.email, c.external_id, 'Stripe subscription ' || s.stripe_subscription_id
           from subscriptions s join customers c on c.id = s.customer_id where s.stripe_subscription_id = ${query})
          union all
          (select c.id, c.name, c.email, c.external_id, 'Stripe invoice ' || i.stripe_invoice_id
           from invoices i join customers c on c.id = i.customer_id where i.stripe_invoice_id = ${query})
          union all
          (select id, name, email, external_id, 'external id' from customers where external_id = ${query})
          union all
          (select id, name, email, external_id, '' from customers
           where lower(name || ' ' || email || ' ' || external_id) like ${likePattern(lower)}
           limit ${limit})`,
    );
    const seen = new Set<string>();
    for (const row of rows) {
      if (seen.has(row.id) || seen.size >= limit) continue;
      seen.add(row.id);
      hits.push({ kind: "customer", id: row.id, title: row.name, detail: `${row.email} · ${row.external_id}`, href: `/customers/${row.id}`, matchedBy: row.matched_by });
    }
  }
  if (scopes.has("invoices")) {
    const rows = await executeRows<{ id: string; number: string | null; customer_name: string; status: string; matched_by: string }>(
      db,
      sql`(select i.id, i.number, c.name as customer_name, i.status, 'Stripe invoice ' || i.stripe_invoice_id as matched_by
           from invoices i join customers c on c.id = i.customer_id where i.stripe_invoice_id = ${query})
          union all
          (select i.id, i.number, c.name, i.status, ''
           from invoices i join customers c on c.id = i.customer_id
           where i.number is not null and i.number like ${likePattern(query.toUpperCase())}
           limit ${limit})`,
    );
    const seen = new Set<string>();
    for (const row of rows) {
      if (seen.has(row.id) || seen.size >= limit) continue;
      seen.add(row.id);
      hits.push({ kind: "invoice", id: row.id, title: row.number ?? "Draft invoice", detail: `${row.customer_name} · ${row.status}`, href: `/invoices/${row.id}`, matchedBy: row.matched_by });
    }
  }
  if (scopes.has("promotions")) {
    const rows = await executeRows<{ promotion_id: string; code: string; name: string }>(
      db,
      sql`select pc.promotion_id, pc.code, p.name from promotion_codes pc join promotions p on p.id = pc.promotion_id
          where pc.code like ${likePattern(query.toUpperCase())} limit ${limit}`,
    );
    for (const row of rows) hits.push({ kind: "promotion", id: row.promotion_id, title: row.code, detail: row.name, href: `/promotions/${row.promotion_id}`, matchedBy: "promotion code" });
  }
  return hits;
}
