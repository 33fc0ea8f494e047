import { TRPCError } from "@trpc/server";
import Decimal from "decimal.js";
import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDate, formatMoney, formatQuantity } from "@/lib/format";
import { getServerApi } from "@/trpc/server";

type SearchParams = { a?: string; b?: string; customer?: string };
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const unitPrice = (value: string | null) => (value === null ? "—" : `$${new Decimal(value).toSignificantDigits(6).toFixed()}`);
const validId = (value: string | undefined) => (value && uuid.test(value) ? value : undefined);

/**
 * Two invoices of one customer side by side, line by line, each change split into the quantity
 * effect (Δq·p₀) and the price effect (q₁·Δp), exact to the micro-unit. Invoices are picked from
 * the customer's list (a plain GET form, so a comparison is a link support can paste).
 */
export default async function CompareInvoicesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requirePermission("billing.read");
  const params = await searchParams;
  const a = validId(params.a);
  const b = validId(params.b);
  const api = await getServerApi();
  let customerId = validId(params.customer);
  if (!customerId && (a ?? b)) customerId = await api.invoice.get({ id: (a ?? b)! }).then((detail) => detail.invoice.customerId, () => undefined);
  const [choices, comparison] = await Promise.all([
    customerId ? api.invoice.list({ customerId, limit: 100 }).then((page) => page.items) : Promise.resolve([]),
    a && b
      ? api.invoice.compare({ a, b }).catch((error: unknown) => {
          if (error instanceof TRPCError && ["NOT_FOUND", "BAD_REQUEST"].includes(error.code)) return { problem: error.message };
          throw error;
        })
      : Promise.resolve(null),
  ]);
  const result = comparison && "problem" in comparison ? null : comparison;
  const problem = comparison && "problem" in comparison ? comparison.problem : null;
  const currency = result?.before.currency ?? "usd";
  const money = (micros: bigint, signed = false) => formatMoney(micros, currency, { precise: true, signed });
  const label = (invoice: { number: string | null; periodStart: Date; periodEnd: Date; kind: string }) =>
    `${invoice.number ?? "draft"} · ${invoice.kind} · ${formatDate(invoice.periodStart)} → ${formatDate(invoice.periodEnd)}`;
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Compare invoices"
        description={
          result ? (
            <Link href={`/customers/${result.customer.id}`} className="underline-offset-4 hover:underline">
              {result.customer.name}
            </Link>
          ) : (
            "Two invoices of one customer, line by line: what changed because of usage and what because of price."
          )
        }
      />
      <Card>
        <CardContent className="pt-6">
          {customerId ? (
            <form method="get" className="flex flex-wrap items-end gap-4" data-testid="compare-form">
              <input type="hidden" name="customer" value={customerId} />
              {(["a", "b"] as const).map((field) => (
                <label key={field} className="flex flex-col gap-1 text-sm">
                  <span className="text-muted-foreground">{field === "a" ? "Earlier invoice" : "Later invoice"}</span>
                  <select name={field} defaultValue={field === "a" ? (a ?? "") : (b ?? "")} className="h-9 min-w-80 rounded-md border bg-background px-2 text-sm" aria-label={field === "a" ? "Earlier invoice" : "Later invoice"}>
                    <option value="">Pick an invoice…</option>
                    {choices.map((invoice) => (
                      <option key={invoice.id} value={invoice.id}>
                        {label(invoice)} · {formatMoney(invoice.totalMicros, invoice.currency)}
                      </option>
                    ))}
                  </select>
                </label>
              ))}
              <Button type="submit">Compare</Button>
            </form>
          ) : (
            <p className="text-sm text-muted-foreground">
              Open a customer and choose <em>Compare invoices</em> in their invoices, or start from an invoice&apos;s page.
            </p>
          )}
          {problem ? (
            <p className="mt-4 text-sm text-destructive" data-testid="compare-problem">
              {problem}
            </p>
          ) : null}
        </CardContent>
      </Card>
      {result ? (
        <Card>
          <CardHeader>
            <CardTitle>
              {money(result.before.totalMicros)} → {money(result.after.totalMicros)} ({money(result.attribution.deltaMicros, true)})
            </CardTitle>
            <CardDescription>
              <Link href={`/invoices/${result.before.id}`} className="underline-offset-4 hover:underline">
                {label(result.before)}
              </Link>{" "}
              against{" "}
              <Link href={`/invoices/${result.after.id}`} className="underline-offset-4 hover:underline">
                {label(result.after)}
              </Link>
              . Usage {money(result.attribution.quantityEffectMicros, true)}, price {money(result.attribution.priceEffectMicros, true)}, discounts, credits and prorations{" "}
              {money(result.attribution.otherEffectMicros, true)}.
              {result.planChanged ? <Badge className="ml-2">plan changed between them</Badge> : null}
            </CardDescription>
          </CardHeader>
          <CardContent>
            <Table data-testid="compare-lines">
              <TableHeader>
                <TableRow>
                  <TableHead>Line</TableHead>
                  <TableHead className="text-right">Quantity before</TableHead>
                  <TableHead className="text-right">Quantity after</TableHead>
                  <TableHead className="text-right">Price per unit before → after</TableHead>
                  <TableHead className="text-right">Before</TableHead>
                  <TableHead className="text-right">After</TableHead>
                  <TableHead className="text-right">Change</TableHead>
                  <TableHead className="text-right">Usage effect</TableHead>
                  <TableHead className="text-right">Price effect</TableHead>
                  <TableHead className="text-right">Other</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {result.attribution.rows.map((row) => (
                  <TableRow key={row.key} data-line={row.description}>
                    <TableCell className="font-medium">{row.description}</TableCell>
                    <TableCell className="text-right font-mono">{row.previousQuantity === null ? "" : formatQuantity(row.previousQuantity)}</TableCell>
                    <TableCell className="text-right font-mono">{row.currentQuantity === null ? "" : formatQuantity(row.currentQuantity)}</TableCell>
                    <TableCell className="text-right font-mono text-xs">
                      {row.previousUnitPrice === null && row.currentUnitPrice === null ? "" : `${unitPrice(row.previousUnitPrice)} → ${unitPrice(row.currentUnitPrice)}`}
                    </TableCell>
                    <TableCell className="text-right font-mono">{money(row.previousMicros)}</TableCell>
                    <TableCell className="text-right font-mono">{money(row.currentMicros)}</TableCell>
                    <TableCell className="text-right font-mono font-medium">{money(row.deltaMicros, true)}</TableCell>
                    <TableCell className="text-right font-mono">{row.quantityEffectMicros === 0n ? "" : money(row.quantityEffectMicros, true)}</TableCell>
                    <TableCell className="text-right font-mono">{row.priceEffectMicros === 0n ? "" : money(row.priceEffectMicros, true)}</TableCell>
                    <TableCell className="text-right font-mono">{row.otherEffectMicros === 0n ? "" : money(row.otherEffectMicros, true)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
              <tfoot className="border-t bg-muted/50 font-medium">
                <TableRow data-testid="compare-totals">
                  <TableCell colSpan={4}>Total</TableCell>
                  <TableCell className="text-right font-mono">{money(result.attribution.previousMicros)}</TableCell>
                  <TableCell className="text-right font-mono">{money(result.attribution.currentMicros)}</TableCell>
                  <TableCell className="text-right font-mono">{money(result.attribution.deltaMicros, true)}</TableCell>
                  <TableCell className="text-right font-mono">{money(result.attribution.quantityEffectMicros, true)}</TableCell>
                  <TableCell className="text-right font-mono">{money(result.attribution.priceEffectMicros, true)}</TableCell>
                  <TableCell className="text-right font-mono">{money(result.attribution.otherEffectMicros, true)}</TableCell>
                </TableRow>
              </tfoot>
            </Table>
            <p className="mt-4 text-xs text-muted-foreground">
              Price per unit is the line&apos;s amount over its usage (allowance and tiers included). Usage effect = change in quantity × the earlier price per unit, rounded half to even to
              the micro-unit; price effect = the rest, so the two add up to the change exactly. Open a line from either invoice to see its events.
            </p>
          </CardContent>
        </Card>
      ) : null}
    </div>
  );
}
