import type { Db } from "@/db/client";
import { customerListStatuses, customerSortKeys, listCustomers } from "@/server/customers/list-customers";
import { invoiceSortKeys, listInvoicesView } from "@/server/invoicing/list-invoices-view";
import { invoiceKinds, invoiceStatuses } from "@/db/schema";
import { listAuditFilterValues, listAuditView } from "@/server/audit/list-audit-view";
import { searchGlobal } from "@/server/search/search-global";
import type { BenchSamples } from "./suites/console";

/** `pages`: the run reads that many pages one after another; its time is reported per page. */
export type BenchCase = { label: string; run: (db: Db) => Promise<unknown>; pages?: number };
export type BenchList = { name: string; cases: BenchCase[] };

const directions = ["asc", "desc"] as const;
const pageRows = 25;

/** Every sort both ways, every filter value with the default sort and with every sort, and a deep page. */
function cases<Sort extends string>(
  sorts: readonly Sort[],
  filters: Record<string, readonly string[]>,
  run: (db: Db, input: { sort?: Sort; direction?: "asc" | "desc"; cursor?: string; limit: number } & Record<string, unknown>) => Promise<{ nextCursor: string | null }>,
): BenchCase[] {
  const result: BenchCase[] = [{ label: "first page", run: (db) => run(db, { limit: pageRows }) }];
  for (const sort of sorts) for (const direction of directions) result.push({ label: `sort ${sort} ${direction}`, run: (db) => run(db, { sort, direction, limit: pageRows }) });
  for (const [name, values] of Object.entries(filters)) {
    for (const value of values) {
      result.push({ label: `${name}=${value}`, run: (db) => run(db, { [name]: value, limit: pageRows }) });
      for (const sort of sorts) for (const direction of directions) result.push({ label: `${name}=${value} sort ${sort} ${direction}`, run: (db) => run(db, { [name]: value, sort, direction, limit: pageRows }) });
    }
  }
  result.push({
    label: "10 pages in a row (per page)",
    pages: 10,
    run: async (db) => {
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) cursor = (await run(db, { limit: pageRows, cursor })).nextCursor ?? undefined;
    },
  });
  return result;
}

export function benchLists(samples: BenchSamples): BenchList[] {
  return [
    {
      name: "customers",
      cases: [
        ...cases(customerSortKeys, { status: customerListStatuses, kind: ["individual", "team"], plan: [samples.planKey] }, (db, input) => listCustomers(db, input)),
        { label: "search by name", run: (db) => listCustomers(db, { search: samples.customer.name, limit: pageRows }) },
        { label: "search by email", run: (db) => listCustomers(db, { search: samples.customer.email, limit: pageRows }) },
      ],
    },
    {
      name: "invoices",
      cases: [
        ...cases(invoiceSortKeys, { status: invoiceStatuses, kind: invoiceKinds }, (db, input) => listInvoicesView(db, input)),
        { label: "customer's invoices", run: (db) => listInvoicesView(db, { customerId: samples.customer.id, limit: pageRows }) },
        { label: "number prefix", run: (db) => listInvoicesView(db, { number: samples.invoiceNumber.slice(0, 10), limit: pageRows }) },
      ],
    },
    {
      name: "audit",
      cases: [
        ...cases(["occurred"] as const, { action: ["customer.update", "ledger.reverse"], objectType: ["invoice"], actorType: ["api_key"] }, (db, input) => listAuditView(db, input)),
        { label: "actor", run: (db) => listAuditView(db, { actorId: "actor_7", limit: pageRows }) },
        { label: "filter values (skip scan)", run: (db) => listAuditFilterValues(db) },
      ],
    },
  ];
}

const everything = ["customers", "invoices", "promotions"] as const;

export function benchSearches(samples: BenchSamples): BenchCase[] {
  const queries = [
    samples.customer.name,
    samples.customer.name.split(" ").at(-1)!,
    "lovelace",
    samples.customer.email,
    samples.customer.externalId,
    samples.invoiceNumber,
    samples.invoiceNumber.slice(-5),
    samples.stripeInvoiceId,
    "sub_bench12345",
    "zzqqxx-no-match",
  ];
  return queries.map((query) => ({ label: `search "${query}"`, run: (db) => searchGlobal(db, { query, scopes: [...everything] }) }));
}
