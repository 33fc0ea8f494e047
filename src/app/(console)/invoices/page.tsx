import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { invoicesView } from "@/server/api/lists/registry";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import { CloseDueButton } from "./close-due-button";
import { InvoicesDataTable } from "./invoices-data-table";

export default async function InvoicesPage({ searchParams }: { searchParams: Promise<UrlParams> }) {
  const user = await requirePermission("billing.read");
  const view = parseView(invoicesView, await searchParams);
  const input = view.ok ? view.input : invoicesView.parse({});
  const api = await getServerApi();
  const { page, error } = await loadView(input, (next) => api.invoice.listView({ ...next, limit: 50 }));
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Invoices"
        description="Tally's invoices, newest first: period close, threshold and proration invoices. Sort by any column, filter by status or kind, export the view."
        actions={can(user.role, "billing.close") ? <CloseDueButton /> : null}
      />
      <InvoicesDataTable
        rows={page.items}
        nextCursor={page.nextCursor}
        error={view.ok ? error : `${view.message} (showing all invoices)`}
        emptyMessage={input.search || input.status || input.kind || input.customer ? "No invoice matches this view." : "No invoices yet."}
      />
    </div>
  );
}
