import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime, formatMoney } from "@/lib/format";
import { possibleDoubleCharges } from "@/server/stripe/possible-double-charges";
import type { Payment } from "@/server/stripe/list-payments";
import { describeCard, paymentStatusVariant } from "./payment-display";

/** Payments as support reads them: when, how much, which card, what happened, refunds, the invoice paid. */
export function PaymentsTable({ payments, showInvoice, testId }: { payments: Payment[]; showInvoice: boolean; testId: string }) {
  if (payments.length === 0) return <p className="text-sm text-muted-foreground">No payments recorded.</p>;
  const doubles = possibleDoubleCharges(payments);
  return (
    <Table data-testid={testId}>
      <TableHeader>
        <TableRow>
          <TableHead>When</TableHead>
          <TableHead className="text-right">Amount</TableHead>
          <TableHead>Status</TableHead>
          <TableHead>Card</TableHead>
          <TableHead>Why it failed</TableHead>
          <TableHead>Refunds</TableHead>
          {showInvoice ? <TableHead>Invoice</TableHead> : null}
        </TableRow>
      </TableHeader>
      <TableBody>
        {payments.map((payment) => (
          <TableRow key={payment.chargeId} data-charge={payment.chargeId} data-status={payment.status}>
            <TableCell>{formatDateTime(payment.created)}</TableCell>
            <TableCell className="text-right font-mono">{formatMoney(payment.amountMicros, payment.currency)}</TableCell>
            <TableCell>
              <span className="flex flex-wrap items-center gap-1">
                <Badge variant={paymentStatusVariant[payment.status] ?? "outline"}>{payment.status}</Badge>
                {payment.refunded ? <Badge variant="secondary">refunded</Badge> : null}
                {payment.disputed ? <Badge variant="destructive">disputed</Badge> : null}
                {doubles.has(payment.chargeId) ? (
                  <Badge variant="destructive" title="Another succeeded charge has the same amount and card, for the same invoice or within a day">
                    possible double charge
                  </Badge>
                ) : null}
              </span>
            </TableCell>
            <TableCell className="text-sm">{describeCard(payment)}</TableCell>
            <TableCell className="text-sm">
              {payment.status === "failed" ? (
                <>
                  {payment.failureMessage ?? "Failed"}
                  {payment.declineCode ?? payment.failureCode ? <span className="text-muted-foreground"> ({(payment.declineCode ?? payment.failureCode)!.replaceAll("_", " ")})</span> : null}
                </>
              ) : (
                ""
              )}
            </TableCell>
            <TableCell className="text-sm">
              {payment.refunds.length === 0
                ? ""
                : payment.refunds.map((refund) => (
                    <div key={refund.stripeId}>
                      {formatMoney(refund.amountMicros, payment.currency)} {refund.status}
                      {refund.reason ? `, ${refund.reason.replaceAll("_", " ")}` : ""} on {formatDateTime(refund.created)}
                    </div>
                  ))}
            </TableCell>
            {showInvoice ? (
              <TableCell className="text-sm">
                {payment.invoice ? (
                  <Link href={`/invoices/${payment.invoice.id}`} className="underline-offset-4 hover:underline">
                    {payment.invoice.number ?? "draft"}
                  </Link>
                ) : payment.stripeInvoiceId ? (
                  <span className="font-mono text-xs">{payment.stripeInvoiceId}</span>
                ) : (
                  <span className="text-muted-foreground">{payment.description ?? "no invoice"}</span>
                )}
              </TableCell>
            ) : null}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
