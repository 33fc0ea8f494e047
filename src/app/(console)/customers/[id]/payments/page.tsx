import Link from "next/link";
import { orNotFound } from "@/components/console/or-not-found";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { customerPaymentsView } from "@/server/api/lists/payment-lists";
import { paymentStatuses } from "@/server/stripe/list-customer-payments-view";
import { possibleDoubleCharges } from "@/server/stripe/possible-double-charges";
import { getServerApi } from "@/trpc/server";
import { PaymentsDataTable } from "./payments-data-table";

/** Every charge of one customer (each attempt to take money), with card, failure reason, refunds and the invoice paid. */
export default async function CustomerPaymentsPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<UrlParams> }) {
  await requirePermission("stripe.read");
  const { id } = await params;
  const api = await getServerApi();
  const customer = await orNotFound(api.customer.get({ id }));
  const view = parseView(customerPaymentsView, await searchParams, { customer: customer.id });
  const input = view.ok ? view.input : customerPaymentsView.parse({ customer: customer.id });
  const { page, error } = await loadView(input, (next) => api.stripe.listCustomerPaymentsView({ ...next, limit: 50 }));
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Payments and refunds"
        description={
          <Link href={`/customers/${customer.id}`} className="underline-offset-4 hover:underline">
            {customer.name}
          </Link>
        }
      />
      <PaymentsDataTable
        customerId={customer.id}
        rows={page.items}
        nextCursor={page.nextCursor}
        doubles={[...possibleDoubleCharges(page.items)]}
        statuses={paymentStatuses}
        error={view.ok ? error : `${view.message} (showing every payment)`}
        emptyMessage={input.status ? "No payment matches this view." : "No payments recorded."}
      />
    </div>
  );
}
