import Link from "next/link";
import { orNotFound } from "@/components/console/or-not-found";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Card, CardContent } from "@/components/ui/card";
import { getServerApi } from "@/trpc/server";
import { PaymentsTable } from "../../../invoices/payments-table";

/** `before` is the last charge of the previous page: `<ISO created>_<charge id>`. */
function parseBefore(before: string | undefined): { created: Date; id: string } | undefined {
  const match = before?.match(/^(.{10,40})_(ch_[A-Za-z0-9_]{1,200})$/);
  if (!match) return undefined;
  const created = new Date(match[1]!);
  return Number.isNaN(created.getTime()) ? undefined : { created, id: match[2]! };
}

export default async function CustomerPaymentsPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ before?: string }> }) {
  await requirePermission("stripe.read");
  const { id } = await params;
  const { before } = await searchParams;
  const api = await getServerApi();
  const customer = await orNotFound(api.customer.get({ id }));
  const page = await api.stripe.listPayments({ customerId: id, limit: 50, cursor: parseBefore(before) });
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
      <Card>
        <CardContent className="pt-6">
          <PaymentsTable payments={page.items} showInvoice testId="customer-payments" />
          <div className="mt-4 flex gap-4 text-sm">
            {before ? (
              <Link href={`/customers/${customer.id}/payments`} className="underline-offset-4 hover:underline">
                Newest payments
              </Link>
            ) : null}
            {page.nextCursor ? (
              <Link href={`/customers/${customer.id}/payments?before=${encodeURIComponent(`${page.nextCursor.created.toISOString()}_${page.nextCursor.id}`)}`} className="underline-offset-4 hover:underline">
                Older payments
              </Link>
            ) : null}
          </div>
        </CardContent>
      </Card>
    </div>
  );
}
