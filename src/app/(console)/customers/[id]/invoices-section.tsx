import Link from "next/link";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDate, formatDateTime, formatMoney } from "@/lib/format";
import { getServerApi } from "@/trpc/server";
import { InvoiceLinesTable } from "../../invoices/invoice-lines-table";
import { InvoiceStatusBadge } from "../../invoices/invoice-status-badge";
import type { CustomerSectionProps } from "./sections";

/** The customer's invoices and what the current period would bill for usage so far. */
export async function InvoicesSection({ customerId }: CustomerSectionProps) {
  const api = await getServerApi();
  const [page, preview] = await Promise.all([api.invoice.list({ customerId, limit: 24 }), api.invoice.previewUnbilled({ customerId })]);
  return (
    <Card data-testid="invoices-section">
      <CardHeader>
        <CardTitle>Invoices</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-6">
        <div>
          <h3 className="mb-2 text-sm font-medium">
            Unbilled usage this period
            {preview ? (
              <span className="ml-2 font-normal text-muted-foreground">
                {formatDate(preview.period.start)} → {formatDate(preview.period.end)}, as of {formatDateTime(preview.asOf)}:{" "}
                <span className="font-mono text-foreground" data-testid="unbilled-total">
                  {formatMoney(preview.unbilledMicros, preview.currency, { precise: true })}
                </span>
              </span>
            ) : null}
          </h3>
          {preview ? (
            <InvoiceLinesTable currency={preview.currency} lines={preview.lines.map((line) => ({ ...line, servicePeriodStart: line.servicePeriod.start, servicePeriodEnd: line.servicePeriod.end }))} />
          ) : (
            <p className="text-sm text-muted-foreground">No live subscription.</p>
          )}
        </div>
        {page.items.length === 0 ? (
          <p className="text-sm text-muted-foreground">No invoices yet.</p>
        ) : (
          <Table data-testid="customer-invoices">
            <TableHeader>
              <TableRow>
                <TableHead>Number</TableHead>
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
      </CardContent>
    </Card>
  );
}
