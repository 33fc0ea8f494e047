import Link from "next/link";
import { orNotFound } from "@/components/console/or-not-found";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { customerApiRequestsView } from "@/server/api/lists/customer-lists";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { apiRequestStatusClasses } from "@/server/http/list-api-requests-view";
import { getServerApi } from "@/trpc/server";
import { ApiRequestsTable } from "./api-requests-table";

/** Every API request the product's back end made about one customer (the log keeps 30 days). */
export default async function CustomerApiActivityPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<UrlParams> }) {
  await requirePermission("api.activity.read");
  const { id } = await params;
  const api = await getServerApi();
  const customer = await orNotFound(api.customer.get({ id }));
  const view = parseView(customerApiRequestsView, await searchParams, { customer: customer.id });
  const input = view.ok ? view.input : customerApiRequestsView.parse({ customer: customer.id });
  const [{ page, error }, keys] = await Promise.all([loadView(input, (next) => api.customer.apiRequestsView({ ...next, limit: 50 })), api.customer.apiRequestKeys()]);
  const filtered = input.search || input.status || input.method || input.operation || input.key;
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="API activity"
        description={
          <>
            <Link href={`/customers/${customer.id}`} className="underline-offset-4 hover:underline">
              {customer.name}
            </Link>
            <span className="text-muted-foreground">: requests about this customer in the last 30 days.</span>
          </>
        }
      />
      <ApiRequestsTable
        customerId={customer.id}
        rows={page.items}
        nextCursor={page.nextCursor}
        statusClasses={apiRequestStatusClasses}
        keys={keys}
        error={view.ok ? error : `${view.message} (showing every request)`}
        emptyMessage={filtered ? "No request matches this view." : "No API requests about this customer in the last 30 days."}
      />
    </div>
  );
}
