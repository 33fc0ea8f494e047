import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { customersView } from "@/server/api/lists/registry";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import { CustomersTable } from "./customers-table";
import { NewCustomerDialog } from "./new-customer-dialog";

export default async function CustomersPage({ searchParams }: { searchParams: Promise<UrlParams> }) {
  const user = await requirePermission("customers.read");
  const view = parseView(customersView, await searchParams);
  const api = await getServerApi();
  const input = view.ok ? view.input : customersView.parse({});
  const [{ page, error }, plans] = await Promise.all([loadView(input, (next) => api.customer.list({ ...next, limit: 25 })), api.customer.planOptions()]);
  return (
    <div>
      <PageHeader
        title="Customers"
        description="Search by name, email or external id; sort by any column; filter by plan, status or kind."
        actions={can(user.role, "customers.write") ? <NewCustomerDialog /> : null}
      />
      <CustomersTable
        rows={page.items}
        nextCursor={page.nextCursor}
        plans={plans}
        error={view.ok ? error : `${view.message} (showing all customers)`}
        emptyMessage={input.search || input.status || input.plan || input.kind ? "No customer matches this view." : "No customers yet. Run npm run db:seed to load the demo data."}
      />
    </div>
  );
}
