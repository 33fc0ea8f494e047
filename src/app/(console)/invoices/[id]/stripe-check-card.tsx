import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDateTime, formatMoney } from "@/lib/format";
import type { InvoiceStripeCheck } from "@/server/billing-sync/get-invoice-stripe-check";

/** Stripe minor units (cents) → micro-units, for display only. */
const minorToMicros = (minor: bigint) => minor * 10_000n;

/** The invoice's Stripe counterpart: id, status and what the last comparison found. */
export function StripeCheckCard({ stripe, currency }: { stripe: InvoiceStripeCheck; currency: string }) {
  const money = (minor: bigint | null) => (minor === null ? "—" : formatMoney(minorToMicros(minor), currency));
  return (
    <Card data-testid="invoice-stripe-card">
      <CardHeader>
        <CardTitle>Stripe</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-3 text-sm">
        <dl className="grid grid-cols-2 gap-x-8 gap-y-2 md:grid-cols-4">
          <dt className="text-muted-foreground">Stripe invoice</dt>
          <dd className="font-mono text-xs">{stripe.stripeInvoiceId ?? "not on Stripe yet"}</dd>
          <dt className="text-muted-foreground">Status</dt>
          <dd>{stripe.check?.stripeStatus ?? "not compared yet"}</dd>
          {stripe.check ? (
            <>
              <dt className="text-muted-foreground">Stripe total</dt>
              <dd className="font-mono">{money(stripe.check.stripeTotal)}</dd>
              <dt className="text-muted-foreground">Compared</dt>
              <dd>{formatDateTime(stripe.check.checkedAt)}</dd>
            </>
          ) : null}
        </dl>
        {stripe.check && stripe.discrepancies.length === 0 ? <p className="text-emerald-700">Matches Stripe to the cent.</p> : null}
        {stripe.discrepancies.length > 0 ? (
          <table className="w-full text-left">
            <thead className="text-muted-foreground">
              <tr>
                <th className="py-1 font-normal">Difference</th>
                <th className="py-1 font-normal">Tally</th>
                <th className="py-1 font-normal">Stripe</th>
                <th className="py-1 font-normal">Detected</th>
              </tr>
            </thead>
            <tbody>
              {stripe.discrepancies.map((item) => (
                <tr key={item.field} className="border-t">
                  <td className="py-1">{item.description}</td>
                  <td className="py-1 font-mono">{money(item.tallyValue)}</td>
                  <td className="py-1 font-mono">{money(item.stripeValue)}</td>
                  <td className="py-1">{formatDateTime(item.detectedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </CardContent>
    </Card>
  );
}
