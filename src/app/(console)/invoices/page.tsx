import { TRPCError } from "@trpc/server";
import Link from "next/link";
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
  const [{ page, error }, customer] = await Promise.all([
    loadView(input, (next) => api.invoice.listView({ ...next, limit: 50 })),
    input.customer
      ? api.customer.get({ id: input.customer }).catch((caught: unknown) => {
          if (caught instanceof TRPCError && caught.code === "NOT_FOUND") return null;
          throw caught;
        })
      : null,
  ]);
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Invoices"
        description="Tally's invoices, newest first: period close, threshold and proration invoices. Sort by any column, filter by status or kind, export the view."
        actions={can(user.role, "billing.close") ? <CloseDueButton /> : null}
      />
      {input.customer ? (
        <p className="text-sm" role="status" data-testid="invoices-customer-filter">
          Invoices of{" "}
          {customer ? (
            <Link href={`/customers/${customer.id}`} className="font-medium underline underline-offset-4">
              {customer.name}
            </Link>
          ) : (
            "a customer that does not exist"
          )}
          .{" "}
          <Link href="/invoices" className="text-muted-foreground underline underline-offset-4">
            Every customer&apos;s invoices
          </Link>
        </p>
      ) : null}
      <InvoicesDataTable
        rows={page.items}
        nextCursor={page.nextCursor}
        error={view.ok ? error : `${view.message} (showing all invoices)`}
        emptyMessage={input.search || input.status || input.kind || input.customer ? "No invoice matches this view." : "No invoices yet."}
      />
    </div>
  );
}
