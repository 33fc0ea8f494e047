import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDate, formatDateTime, formatMoney } from "@/lib/format";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import type { CustomerSectionProps } from "./sections";

const eventVariant = { pending: "secondary", processed: "outline", failed: "warning", parked: "destructive" } as const;

export async function StripeSection({ customerId, role }: CustomerSectionProps) {
  const api = await getServerApi();
  const view = await api.stripe.getCustomer({ customerId });
  return (
    <Card id="stripe" data-testid="stripe-section">
      <CardHeader>
        <CardTitle>Stripe</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-4 text-sm">
        {!view ? (
          <p className="text-muted-foreground">Not synced to Stripe yet.</p>
        ) : (
          <>
            <dl className="grid grid-cols-2 gap-x-8 gap-y-2 md:grid-cols-4">
              <dt className="text-muted-foreground">Stripe customer</dt>
              <dd className="font-mono text-xs">
                {view.dashboardUrl ? (
                  <a className="underline" href={view.dashboardUrl} target="_blank" rel="noreferrer">
                    {view.stripeCustomerId}
                  </a>
                ) : (
                  view.stripeCustomerId
                )}
              </dd>
              <dt className="text-muted-foreground">Subscription</dt>
              <dd>
                {view.subscription ? (
                  <>
                    <Badge variant="secondary">{view.subscription.status}</Badge>
                    {view.subscription.cancelAtPeriodEnd ? <span className="ml-2 text-xs text-muted-foreground">cancels at period end</span> : null}
                  </>
                ) : (
                  "none"
                )}
              </dd>
              <dt className="text-muted-foreground">Payment methods</dt>
              <dd>
                {view.paymentMethods.length === 0
                  ? "none on file"
                  : view.paymentMethods.map((method) => (
                      <div key={method.stripeId}>
                        {method.brand ?? "card"} •••• {method.last4 ?? "????"}
                        {method.expMonth && method.expYear ? <span className="text-muted-foreground"> exp {String(method.expMonth).padStart(2, "0")}/{method.expYear}</span> : null}
                      </div>
                    ))}
              </dd>
              <dt className="text-muted-foreground">Period ends</dt>
              <dd>{formatDate(view.subscription?.currentPeriodEnd)}</dd>
            </dl>
            <div>
              <h3 className="mb-2 font-medium">Invoices</h3>
              {view.invoices.length === 0 ? (
                <p className="text-muted-foreground">No invoices.</p>
              ) : (
                <Table>
                  <TableHeader>
                    <TableRow>
                      <TableHead>Number</TableHead>
                      <TableHead>Created</TableHead>
                      <TableHead>Status</TableHead>
                      <TableHead className="text-right">Total</TableHead>
                      <TableHead className="text-right">Paid</TableHead>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {view.invoices.map((invoice) => (
                      <TableRow key={invoice.stripeId}>
                        <TableCell className="font-mono text-xs">
                          {invoice.number ?? invoice.stripeId}
                          {invoice.tallyInvoice ? (
                            <Link href={`/invoices/${invoice.tallyInvoice.id}`} className="ml-2 font-sans underline-offset-4 hover:underline">
                              Tally {invoice.tallyInvoice.number ?? "draft"}
                            </Link>
                          ) : null}
                        </TableCell>
                        <TableCell>{formatDate(invoice.created)}</TableCell>
                        <TableCell>{invoice.status}</TableCell>
                        <TableCell className="text-right">{formatMoney(invoice.totalMicros, invoice.currency)}</TableCell>
                        <TableCell className="text-right">{formatMoney(invoice.amountPaidMicros, invoice.currency)}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              )}
            </div>
            <div>
              <h3 className="mb-2 font-medium">Recent webhook events</h3>
              {view.events.length === 0 ? (
                <p className="text-muted-foreground">None received.</p>
              ) : (
                <ul className="flex flex-col gap-1">
                  {view.events.map((event) => (
                    <li key={event.id} className="flex items-center gap-2">
                      <Badge variant={eventVariant[event.status]}>{event.status}</Badge>
                      <span className="font-mono text-xs">{event.type}</span>
                      <span className="text-xs text-muted-foreground">{formatDateTime(event.receivedAt)}</span>
                    </li>
                  ))}
                </ul>
              )}
              {can(role, "stripe.admin") && view.events.length > 0 ? (
                <Link href={`/admin/webhooks?customer=${customerId}`} className="mt-2 inline-block underline-offset-4 hover:underline" data-testid="all-webhook-events">
                  All webhook events of this customer, filtered and exportable →
                </Link>
              ) : null}
            </div>
          </>
        )}
      </CardContent>
    </Card>
  );
}
