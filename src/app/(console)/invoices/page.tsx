import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Card, CardContent } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDate, formatMoney } from "@/lib/format";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import { CloseDueButton } from "./close-due-button";
import { InvoiceStatusBadge } from "./invoice-status-badge";

export default async function InvoicesPage({ searchParams }: { searchParams: Promise<{ cursor?: string }> }) {
  const user = await requirePermission("billing.read");
  const { cursor } = await searchParams;
  const api = await getServerApi();
  const page = await api.invoice.list({ cursor, limit: 50 });
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Invoices" description="Tally's invoices, newest first: period close, threshold and proration invoices." actions={can(user.role, "billing.close") ? <CloseDueButton /> : null} />
      <Card>
        <CardContent>
          {page.items.length === 0 ? (
            <p className="text-sm text-muted-foreground">No invoices yet.</p>
          ) : (
            <Table data-testid="invoices-table">
              <TableHeader>
                <TableRow>
                  <TableHead>Number</TableHead>
                  <TableHead>Customer</TableHead>
                  <TableHead>Kind</TableHead>
                  <TableHead>Period</TableHead>
                  <TableHead>Status</TableHead>
                  <TableHead className="text-right">Total</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {page.items.map((invoice) => (
                  <TableRow key={invoice.id}>
                    <TableCell className="font-mono">
                      <Link href={`/invoices/${invoice.id}`} className="underline-offset-4 hover:underline">
                        {invoice.number ?? "draft"}
                      </Link>
                    </TableCell>
                    <TableCell>
                      <Link href={`/customers/${invoice.customerId}`} className="underline-offset-4 hover:underline">
                        {invoice.customerName}
                      </Link>
                    </TableCell>
                    <TableCell>{invoice.kind}</TableCell>
                    <TableCell className="text-muted-foreground">
                      {formatDate(invoice.periodStart)} → {formatDate(invoice.periodEnd)}
                    </TableCell>
                    <TableCell>
                      <InvoiceStatusBadge status={invoice.status} />
                    </TableCell>
                    <TableCell className="text-right font-mono">{formatMoney(invoice.totalMicros, invoice.currency)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          {page.nextCursor ? (
            <Link href={`/invoices?cursor=${encodeURIComponent(page.nextCursor)}`} className="mt-4 inline-block text-sm underline-offset-4 hover:underline">
              Older invoices →
            </Link>
          ) : null}
        </CardContent>
      </Card>
    </div>
  );
}
