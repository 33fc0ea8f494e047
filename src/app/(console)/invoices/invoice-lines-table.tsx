import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDate, formatMoney, formatQuantity } from "@/lib/format";
import Decimal from "decimal.js";
import Link from "next/link";

export type InvoiceLineView = {
  /** Stored lines have a position; with `explainBase` a usage line links to its explanation. */
  position?: number;
  kind: string;
  description: string;
  servicePeriodStart: Date;
  servicePeriodEnd: Date;
  usageQuantity: string | null;
  allowanceQuantity: string | null;
  quantity: string | null;
  unitPrice: string | null;
  tiers: { kind: string; tier: number | null; quantity: string; unitPrice: string | null; packages: string | null; packagePrice: string | null; amountMicros: string }[];
  amountMicros: bigint;
};

function tierLabel(tier: InvoiceLineView["tiers"][number]): string {
  if (tier.kind === "package") return `${tier.packages} × package at $${tier.packagePrice}`;
  const name = tier.tier === null ? tier.kind.replace("_", " ") : `tier ${tier.tier}`;
  return `${name}: ${formatQuantity(tier.quantity)} × $${tier.unitPrice}`;
}

/** Free units on a line: the allowance given to it plus what the price itself includes (the engine's `included` line). */
function includedQuantity(line: InvoiceLineView): string {
  const parts = [line.allowanceQuantity ?? "0", ...line.tiers.filter((tier) => tier.kind === "included").map((tier) => tier.quantity)];
  const total = parts.reduce((sum, part) => sum.plus(part), new Decimal(0));
  return total.isZero() ? "" : formatQuantity(total.toFixed());
}

/** An invoice's lines: quantity used, free units, quantity billed, unit price and the tier breakdown. */
export function InvoiceLinesTable({ lines, currency, explainBase }: { lines: InvoiceLineView[]; currency: string; explainBase?: string }) {
  if (lines.length === 0) return <p className="text-sm text-muted-foreground">No lines.</p>;
  return (
    <Table data-testid="invoice-lines">
      <TableHeader>
        <TableRow>
          <TableHead>Description</TableHead>
          <TableHead>Service period</TableHead>
          <TableHead className="text-right">Used</TableHead>
          <TableHead className="text-right">Included</TableHead>
          <TableHead className="text-right">Billed qty</TableHead>
          <TableHead className="text-right">Unit price</TableHead>
          <TableHead>Breakdown</TableHead>
          <TableHead className="text-right">Amount</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {lines.map((line, index) => (
          <TableRow key={index} data-kind={line.kind}>
            <TableCell className="font-medium">
              {explainBase && line.position !== undefined && (line.kind === "usage" || line.kind === "late_usage") ? (
                <Link href={`${explainBase}/${line.position}`} className="underline-offset-4 hover:underline" title="Explain this line: usage by day, tiers, rounding, events">
                  {line.description}
                </Link>
              ) : (
                line.description
              )}
            </TableCell>
            <TableCell className="text-muted-foreground">
              {formatDate(line.servicePeriodStart)} → {formatDate(line.servicePeriodEnd)}
            </TableCell>
            <TableCell className="text-right font-mono">{line.usageQuantity === null ? "" : formatQuantity(line.usageQuantity)}</TableCell>
            <TableCell className="text-right font-mono">{includedQuantity(line)}</TableCell>
            <TableCell className="text-right font-mono">{line.quantity === null ? "" : formatQuantity(line.quantity)}</TableCell>
            <TableCell className="text-right font-mono">{line.unitPrice ? `$${line.unitPrice}` : ""}</TableCell>
            <TableCell className="text-xs text-muted-foreground">
              {line.tiers
                .filter((tier) => tier.kind !== "included")
                .map((tier, tierIndex) => (
                  <div key={tierIndex}>
                    {tierLabel(tier)} = {formatMoney(tier.amountMicros, currency, { precise: true })}
                  </div>
                ))}
            </TableCell>
            <TableCell className="text-right font-mono">{formatMoney(line.amountMicros, currency, { precise: true })}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
