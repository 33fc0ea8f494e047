import { TRPCError } from "@trpc/server";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDate, formatDateTime, formatMoney } from "@/lib/format";
import { getServerApi } from "@/trpc/server";
import { InvoiceLinesTable } from "../invoice-lines-table";
import { InvoiceStatusBadge } from "../invoice-status-badge";
import { PaymentsTable } from "../payments-table";
import { Badge } from "@/components/ui/badge";

const paymentStateLabel = { draft: "draft", open: "open", past_due: "past due", paid: "paid", uncollectible: "uncollectible", void: "void" } as const;
const paymentStateVariant = { draft: "outline", open: "secondary", past_due: "destructive", paid: "default", uncollectible: "destructive", void: "outline" } as const;
import { StripeCheckCard } from "./stripe-check-card";

const centsToMicros = (cents: bigint) => cents * 10_000n;

export default async function InvoicePage({ params }: { params: Promise<{ id: string }> }) {
  await requirePermission("billing.read");
  const { id } = await params;
  const api = await getServerApi();
  const { invoice, customer, lines } = await api.invoice.get({ id }).catch((error: unknown) => {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) notFound();
    throw error;
  });
  const [stripe, payment, payments] = await Promise.all([
    api.invoice.stripeCheck({ id }),
    api.stripe.invoicePaymentState({ invoiceId: id }),
    api.stripe.listPayments({ invoiceId: id, limit: 50 }),
  ]);
  const money = (micros: bigint) => formatMoney(micros, invoice.currency, { precise: true });
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title={`Invoice ${invoice.number ?? "(draft)"}`}
        description={
          <span className="flex items-center gap-2">
            <Link href={`/customers/${customer.id}`} className="underline-offset-4 hover:underline">
              {customer.name}
            </Link>
            · {invoice.kind} · {formatDate(invoice.periodStart)} → {formatDate(invoice.periodEnd)} · <InvoiceStatusBadge status={invoice.status} /> ·
            <Link href={`/invoices/compare?customer=${customer.id}&b=${invoice.id}`} className="underline-offset-4 hover:underline">
              Compare with another invoice
            </Link>
          </span>
        }
      />
      <Card>
        <CardHeader>
          <CardTitle>Lines</CardTitle>
        </CardHeader>
        <CardContent>
          <InvoiceLinesTable lines={lines} currency={invoice.currency} explainBase={`/invoices/${invoice.id}/lines`} />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Totals</CardTitle>
        </CardHeader>
        <CardContent>
          <dl className="grid grid-cols-2 gap-x-8 gap-y-2 text-sm md:grid-cols-4" data-testid="invoice-totals">
            <dt className="text-muted-foreground">Subtotal</dt>
            <dd className="font-mono">{money(invoice.subtotalMicros)}</dd>
            <dt className="text-muted-foreground">Discounts</dt>
            <dd className="font-mono">{money(-invoice.discountMicros)}</dd>
            <dt className="text-muted-foreground">Credits</dt>
            <dd className="font-mono">{money(-invoice.creditMicros)}</dd>
            <dt className="text-muted-foreground">Total (exact)</dt>
            <dd className="font-mono">{money(invoice.totalMicros)}</dd>
            <dt className="text-muted-foreground">Total charged (cents)</dt>
            <dd className="font-mono font-medium">{formatMoney(centsToMicros(invoice.totalCents), invoice.currency)}</dd>
            <dt className="text-muted-foreground">Cent rounding</dt>
            <dd className="font-mono">{money(invoice.roundingMicros)}</dd>
            <dt className="text-muted-foreground">Issued</dt>
            <dd>{formatDateTime(invoice.issuedAt)}</dd>
            <dt className="text-muted-foreground">Stripe invoice</dt>
            <dd className="font-mono text-xs">{invoice.stripeInvoiceId ?? "not synced yet"}</dd>
          </dl>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle className="flex items-center gap-2">
            Payment <Badge variant={paymentStateVariant[payment.state]} data-testid="invoice-payment-state">{paymentStateLabel[payment.state]}</Badge>
          </CardTitle>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          <dl className="grid grid-cols-2 gap-x-8 gap-y-2 text-sm md:grid-cols-4">
            <dt className="text-muted-foreground">Amount due</dt>
            <dd className="font-mono">{formatMoney(payment.amountDueMicros, invoice.currency)}</dd>
            <dt className="text-muted-foreground">Amount paid</dt>
            <dd className="font-mono" data-testid="invoice-amount-paid">{formatMoney(payment.amountPaidMicros, invoice.currency)}</dd>
            <dt className="text-muted-foreground">Remaining</dt>
            <dd className="font-mono">{formatMoney(payment.amountRemainingMicros, invoice.currency)}</dd>
            <dt className="text-muted-foreground">Paid</dt>
            <dd>{formatDateTime(payment.paidAt)}</dd>
            <dt className="text-muted-foreground">Stripe invoice</dt>
            <dd className="col-span-3">
              {payment.stripeInvoice ? (
                <span className="flex flex-wrap items-center gap-2">
                  <span className="font-mono text-xs">{payment.stripeInvoice.number ?? payment.stripeInvoice.id}</span> ({payment.stripeInvoice.status})
                  <Link href={`/customers/${customer.id}#stripe`} className="underline-offset-4 hover:underline">
                    on the customer&apos;s Stripe invoices
                  </Link>
                  {payment.stripeInvoice.hostedInvoiceUrl ? (
                    <a href={payment.stripeInvoice.hostedInvoiceUrl} target="_blank" rel="noreferrer" className="underline-offset-4 hover:underline">
                      customer&apos;s invoice page
                    </a>
                  ) : null}
                </span>
              ) : (
                <span className="text-muted-foreground">not pushed to Stripe yet</span>
              )}
            </dd>
            {payment.dunning ? (
              <>
                <dt className="text-muted-foreground">Dunning</dt>
                <dd className="col-span-3">
                  {payment.dunning.attemptCount} failed attempt{payment.dunning.attemptCount === 1 ? "" : "s"}; next retry {formatDateTime(payment.dunning.nextRetryAt)}; grace ends {formatDateTime(payment.dunning.graceEndsAt)}
                </dd>
              </>
            ) : null}
          </dl>
          <PaymentsTable payments={payments.items} showInvoice={false} testId="invoice-payments" />
        </CardContent>
      </Card>
      <StripeCheckCard stripe={stripe} currency={invoice.currency} />
    </div>
  );
}
