import { TRPCError } from "@trpc/server";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDate, formatDateTime, formatMoney, formatQuantity } from "@/lib/format";
import { getServerApi } from "@/trpc/server";

type SearchParams = { after?: string };

/** `after` is the last event of the previous page: `<ISO time>_<seq>`. */
function parseAfter(after: string | undefined): { occurredAt: Date; seq: string } | undefined {
  const match = after?.match(/^(.{10,40})_([0-9]{1,19})$/);
  if (!match) return undefined;
  const occurredAt = new Date(match[1]!);
  return Number.isNaN(occurredAt.getTime()) ? undefined : { occurredAt, seq: match[2]! };
}

export default async function InvoiceLineExplanationPage({ params, searchParams }: { params: Promise<{ id: string; position: string }>; searchParams: Promise<SearchParams> }) {
  await requirePermission("billing.read");
  const { id, position: positionText } = await params;
  const { after } = await searchParams;
  const position = Number(positionText);
  if (!Number.isInteger(position) || position < 1) notFound();
  const api = await getServerApi();
  const explained = await api.invoice.explainLine({ invoiceId: id, position }).catch((error: unknown) => {
    if (error instanceof TRPCError && ["NOT_FOUND", "BAD_REQUEST", "PRECONDITION_FAILED"].includes(error.code)) notFound();
    throw error;
  });
  const cursor = parseAfter(after);
  const events = await api.invoice.lineEvents({ invoiceId: id, position, limit: 25, cursor });
  const { invoice, customer, line, meter, arithmetic } = explained;
  const money = (micros: bigint) => formatMoney(micros, invoice.currency, { precise: true });
  const unit = meter.unit;
  const dimensions = Object.entries(line.dimensions);
  const invoiceLabel = invoice.number ?? "draft invoice";
  const maxDay = explained.days.reduce((max, day) => (Number(day.value) > max ? Number(day.value) : max), 0);
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title={line.description}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <Link href={`/invoices/${invoice.id}`} className="underline-offset-4 hover:underline">
              Invoice {invoiceLabel}
            </Link>
            ·
            <Link href={`/customers/${customer.id}`} className="underline-offset-4 hover:underline">
              {customer.name}
            </Link>
            · line {line.position} · {formatDate(line.servicePeriodStart)} → {formatDate(line.servicePeriodEnd)}
            {dimensions.map(([key, value]) => (
              <Badge key={key} variant="secondary">
                {key} = {value}
              </Badge>
            ))}
          </span>
        }
      />

      <Card>
        <CardHeader>
          <CardTitle>How the amount was worked out</CardTitle>
          <CardDescription>
            {meter.name} ({meter.aggregation.replace("_", " ")}
            {meter.valuePath ? ` of ${meter.valuePath}` : ""}, events of type {meter.eventType}), priced by the plan version on the invoice: {arithmetic.priceModel.replace("_", " ")} model, {arithmetic.priceSource}.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <ol className="flex flex-col gap-2 text-sm" data-testid="line-arithmetic">
            <li>
              Used in the service period: <strong className="font-mono">{formatQuantity(arithmetic.usageQuantity, unit)}</strong>
            </li>
            <li>
              − allowance applied to this line: <span className="font-mono">{formatQuantity(arithmetic.allowanceQuantity, unit)}</span> = billable{" "}
              <span className="font-mono">{formatQuantity(arithmetic.billableQuantity, unit)}</span>
            </li>
            {arithmetic.previousBillableQuantity !== "0" ? (
              <li>
                − already billed on an earlier invoice of this period: <span className="font-mono">{formatQuantity(arithmetic.previousBillableQuantity, unit)}</span> (tiers continue from there)
              </li>
            ) : null}
            {line.tiers.map((tier, index) => (
              <li key={index} className="pl-4">
                {tier.kind === "included"
                  ? `included in the price: ${formatQuantity(tier.quantity, unit)} free`
                  : tier.kind === "package"
                    ? `${formatQuantity(tier.packages)} package${tier.packages === "1" ? "" : "s"} of ${formatQuantity(tier.packageSize)} at $${tier.packagePrice}`
                    : `${tier.tier === null ? tier.kind.replace("_", " ") : `tier ${tier.tier} (${formatQuantity(tier.from)} → ${tier.to === null ? "∞" : formatQuantity(tier.to)})`}: ${formatQuantity(tier.quantity)} × $${tier.unitPrice}`}
                {BigInt(tier.flatAmountMicros) !== 0n ? ` + flat ${money(BigInt(tier.flatAmountMicros))}` : ""} = <span className="font-mono">{money(BigInt(tier.amountMicros))}</span>
              </li>
            ))}
            <li>
              Sum of the tiers: <strong className="font-mono">{money(arithmetic.tiersSumMicros)}</strong>
              {arithmetic.recomputedMicros === null ? null : arithmetic.recomputedMicros === arithmetic.amountMicros ? (
                <span className="text-muted-foreground"> — the pricing engine gives the same today</span>
              ) : (
                <span className="text-destructive"> — the pricing engine gives {money(arithmetic.recomputedMicros)} today (the price changed since?)</span>
              )}
            </li>
            <li>
              Rounded once to the cent, half to even: <strong className="font-mono">{formatMoney(arithmetic.amountCents * 10_000n, invoice.currency)}</strong>; the remainder{" "}
              <span className="font-mono">{money(arithmetic.roundingMicros)}</span> went to the rounding account.
            </li>
          </ol>
          {explained.adjustments.length > 0 ? (
            <div className="mt-4 text-sm" data-testid="line-adjustments">
              <p className="text-muted-foreground">Discounts and credits on this invoice (applied to the invoice as a whole, after the lines):</p>
              <ul className="mt-1 list-disc pl-6">
                {explained.adjustments.map((adjustment, index) => (
                  <li key={index}>
                    {adjustment.description}: <span className="font-mono">{money(adjustment.amountMicros)}</span>
                  </li>
                ))}
              </ul>
            </div>
          ) : (
            <p className="mt-4 text-sm text-muted-foreground">No discounts or credits on this invoice.</p>
          )}
          <p className="mt-4 text-sm" data-testid="line-stripe-item">
            {explained.stripeInvoiceItem ? (
              <>
                On Stripe as invoice item <span className="font-mono text-xs">{explained.stripeInvoiceItem.id}</span> ({formatMoney(explained.stripeInvoiceItem.amountMinor * 10_000n, invoice.currency)}, sent{" "}
                {formatDateTime(explained.stripeInvoiceItem.pushedAt)})
                {explained.stripeInvoiceItem.stripeInvoiceId ? (
                  <>
                    {" "}
                    on Stripe invoice <span className="font-mono text-xs">{explained.stripeInvoiceItem.stripeInvoiceId}</span>
                  </>
                ) : null}
                .
              </>
            ) : (
              <span className="text-muted-foreground">Not on Stripe yet (the invoice has not been pushed).</span>
            )}
          </p>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Usage by day</CardTitle>
          <CardDescription>
            From the hourly rollups, by UTC day. Now {formatQuantity(explained.rollupQuantity, unit)} from {formatQuantity(String(explained.eventCount))} events;{" "}
            {explained.quantityArrivedLater === "0"
              ? "the same as the line."
              : `${formatQuantity(explained.quantityArrivedLater, unit)} more than when the line was billed (late events, billed as late usage on a later invoice).`}
          </CardDescription>
        </CardHeader>
        <CardContent>
          <Table data-testid="line-days">
            <TableHeader>
              <TableRow>
                <TableHead>Day</TableHead>
                <TableHead className="text-right">{meter.name}</TableHead>
                <TableHead className="w-1/2" />
              </TableRow>
            </TableHeader>
            <TableBody>
              {explained.days.map((day) => (
                <TableRow key={day.day.toISOString()} className={day.value === "0" ? "text-muted-foreground" : undefined}>
                  <TableCell>{formatDate(day.day)}</TableCell>
                  <TableCell className="text-right font-mono">{formatQuantity(day.value)}</TableCell>
                  <TableCell>
                    <div className="h-2 rounded bg-primary/60" style={{ width: `${maxDay === 0 ? 0 : Math.max(0, (Number(day.value) / maxDay) * 100)}%` }} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Events behind this line</CardTitle>
          <CardDescription>
            Every {meter.eventType} event of {customer.externalId}
            {dimensions.length > 0 ? ` with ${dimensions.map(([key, value]) => `${key} = ${value}`).join(", ")}` : ""} in the service period, oldest first ({formatQuantity(String(explained.eventCount))} in all).
          </CardDescription>
        </CardHeader>
        <CardContent>
          {events.items.length === 0 ? (
            <p className="text-sm text-muted-foreground">No events {cursor ? "after these" : "in this period"}.</p>
          ) : (
            <Table data-testid="line-events">
              <TableHeader>
                <TableRow>
                  <TableHead>Happened</TableHead>
                  <TableHead>Source</TableHead>
                  <TableHead>Event id</TableHead>
                  <TableHead>Properties</TableHead>
                  <TableHead>Received</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {events.items.map((event) => (
                  <TableRow key={event.seq}>
                    <TableCell>{formatDateTime(event.occurredAt)}</TableCell>
                    <TableCell className="text-xs">{event.source}</TableCell>
                    <TableCell className="font-mono text-xs">{event.eventId}</TableCell>
                    <TableCell className="text-xs">
                      {Object.entries(event.data)
                        .slice(0, 8)
                        .map(([key, value]) => `${key}: ${typeof value === "object" ? JSON.stringify(value) : String(value)}`)
                        .join(" · ")}
                    </TableCell>
                    <TableCell className="text-xs text-muted-foreground">
                      {formatDateTime(event.ingestedAt)}
                      {event.late ? " (late)" : ""}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          <div className="mt-4 flex gap-4 text-sm">
            {cursor ? (
              <Link href={`/invoices/${invoice.id}/lines/${line.position}`} className="underline-offset-4 hover:underline">
                First events
              </Link>
            ) : null}
            {events.nextCursor ? (
              <Link
                href={`/invoices/${invoice.id}/lines/${line.position}?after=${encodeURIComponent(`${events.nextCursor.occurredAt.toISOString()}_${events.nextCursor.seq}`)}`}
                className="underline-offset-4 hover:underline"
              >
                Next events
              </Link>
            ) : null}
          </div>
        </CardContent>
      </Card>
    </div>
  );
}
