import Link from "next/link";
import { orNotFound } from "@/components/console/or-not-found";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { grantCategories, grantSources } from "@/db/schema";
import { customerGrantsView } from "@/server/api/lists/grant-lists";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { getServerApi } from "@/trpc/server";
import { GrantsTable } from "./grants-table";

/** Every credit grant of one customer, with what is left of each (from the ledger). */
export default async function CustomerCreditsPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<UrlParams> }) {
  await requirePermission("grants.read");
  const { id } = await params;
  const api = await getServerApi();
  const customer = await orNotFound(api.customer.get({ id }));
  const view = parseView(customerGrantsView, await searchParams, { customer: customer.id });
  const input = view.ok ? view.input : customerGrantsView.parse({ customer: customer.id });
  const { page, error } = await loadView(input, (next) => api.grant.listView({ ...next, limit: 50 }));
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Credit grants"
        description={
          <Link href={`/customers/${customer.id}`} className="underline-offset-4 hover:underline">
            {customer.name}
          </Link>
        }
      />
      <GrantsTable
        customerId={customer.id}
        rows={page.items}
        nextCursor={page.nextCursor}
        categories={grantCategories}
        sources={grantSources}
        error={view.ok ? error : `${view.message} (showing every grant)`}
        emptyMessage={input.category || input.source ? "No grant matches this view." : "No credits yet."}
      />
    </div>
  );
}
