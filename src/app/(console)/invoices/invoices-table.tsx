import Link from "next/link";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDate, formatMoney } from "@/lib/format";
import type { InvoiceSummary } from "@/server/invoicing/list-invoices";
import { InvoiceStatusBadge } from "./invoice-status-badge";

/** Invoices as a table; the customer column is for lists that span customers. */
export function InvoicesTable({ invoices, showCustomer, testId }: { invoices: InvoiceSummary[]; showCustomer: boolean; testId: string }) {
  return (
    <Table data-testid={testId}>
      <TableHeader>
        <TableRow>
          <TableHead>Number</TableHead>
          {showCustomer ? <TableHead>Customer</TableHead> : null}
          <TableHead>Kind</TableHead>
          <TableHead>Period</TableHead>
          <TableHead>Status</TableHead>
          <TableHead className="text-right">Total</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {invoices.map((invoice) => (
          <TableRow key={invoice.id}>
            <TableCell className="font-mono">
              <Link href={`/invoices/${invoice.id}`} className="underline-offset-4 hover:underline">
                {invoice.number ?? "draft"}
              </Link>
            </TableCell>
            {showCustomer ? (
              <TableCell>
                <Link href={`/customers/${invoice.customerId}`} className="underline-offset-4 hover:underline">
                  {invoice.customerName}
                </Link>
              </TableCell>
            ) : null}
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
  );
}
