"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { formatMoney } from "@/lib/format";
import type { PriceInput, RateLine } from "@/server/pricing";
import { useTRPC } from "@/trpc/react";

function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

/** "1500000" → "1,500,000" without a float. */
export function groupDigits(value: string): string {
  const negative = value.startsWith("-");
  const [whole = "0", fraction] = value.replace(/^-/, "").split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "−" : ""}${grouped}${fraction ? `.${fraction}` : ""}`;
}

function describeLine(line: RateLine, currency: string): string {
  const money = (micros: bigint) => formatMoney(micros, currency, { precise: true });
  const range = line.to === null ? `above ${groupDigits(line.from)}` : `${groupDigits(line.from)}–${groupDigits(line.to)}`;
  const flat = line.flatAmountMicros !== 0n ? ` + ${money(line.flatAmountMicros)} flat` : "";
  switch (line.kind) {
    case "included":
      return `${groupDigits(line.quantity)} included × $0 = ${money(0n)}`;
    case "per_unit":
      return `${groupDigits(line.quantity)} × $${line.unitPrice} = ${money(line.amountMicros)}`;
    case "graduated_tier":
      return `Tier ${line.tier} (${range}): ${groupDigits(line.quantity)} × $${line.unitPrice}${flat} = ${money(line.amountMicros)}`;
    case "volume_tier":
      return `All ${groupDigits(line.quantity)} at tier ${line.tier} (${range}): × $${line.unitPrice}${flat} = ${money(line.amountMicros)}`;
    case "package":
      return `${groupDigits(line.quantity)} in packages of ${groupDigits(line.packageSize ?? "1")} → ${groupDigits(line.packages ?? "0")} × $${line.packagePrice} = ${money(line.amountMicros)}`;
  }
}

/**
 * Rates a sample quantity under the price being edited with the pricing engine on the server
 * (`catalog.price.preview`), and shows each line's arithmetic and the total, as it will appear
 * on an invoice. Problems with the price are listed instead.
 */
export function PricePreview({ price, currency, dimension, dimensionValues }: { price: PriceInput; currency: string; dimension: string | null; dimensionValues: string[] }) {
  const trpc = useTRPC();
  const id = useId();
  const [quantity, setQuantity] = useState("1500000");
  const [dimensionValue, setDimensionValue] = useState("");
  const sample = useDebounced({ price, quantity: quantity.replace(/[,\s_]/g, ""), dimensionValue }, 250);
  const validQuantity = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/.test(sample.quantity);
  const preview = useQuery({
    ...trpc.catalog.price.preview.queryOptions({
      price: sample.price as never,
      quantity: validQuantity ? sample.quantity : "0",
      dimensions: dimension && sample.dimensionValue ? { [dimension]: sample.dimensionValue } : undefined,
    }),
    enabled: validQuantity,
    retry: false,
    placeholderData: (previous) => previous,
  });
  return (
    <div className="flex flex-col gap-3 rounded-md border bg-muted/30 p-3" data-testid="price-preview">
      <div className="flex flex-wrap items-end gap-3">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-quantity`}>Preview: sample quantity</Label>
          <Input id={`${id}-quantity`} inputMode="decimal" className="w-40" value={quantity} onChange={(event) => setQuantity(event.target.value)} />
        </div>
        {dimension ? (
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-dimension`}>{dimension}</Label>
            <Input id={`${id}-dimension`} className="w-40" list={`${id}-dimension-values`} placeholder="(default price)" value={dimensionValue} onChange={(event) => setDimensionValue(event.target.value)} />
            <datalist id={`${id}-dimension-values`}>
              {dimensionValues.map((value) => (
                <option key={value} value={value} />
              ))}
            </datalist>
          </div>
        ) : null}
      </div>
      {!validQuantity ? <p className="text-sm text-destructive">Enter a quantity of 0 or more, like 1500000.</p> : null}
      {preview.error ? <p className="text-sm text-muted-foreground">Finish the price to see a preview.</p> : null}
      {preview.data && preview.data.issues.length > 0 ? (
        <ul className="list-disc pl-5 text-sm text-destructive" data-testid="price-preview-issues">
          {preview.data.issues.map((issue, index) => (
            <li key={index}>{issue.message}</li>
          ))}
        </ul>
      ) : null}
      {preview.data?.result ? (
        <div className="flex flex-col gap-1 text-sm" aria-live="polite">
          {preview.data.result.priceSource.kind === "override" ? (
            <p className="text-muted-foreground">
              Price for {preview.data.result.priceSource.dimension} = {preview.data.result.priceSource.value}
            </p>
          ) : null}
          <ol className="flex flex-col gap-0.5 font-mono text-xs" data-testid="price-preview-lines">
            {preview.data.result.lines.map((line, index) => (
              <li key={index}>{describeLine(line, currency)}</li>
            ))}
          </ol>
          <p className="font-medium" data-testid="price-preview-total">
            {groupDigits(preview.data.result.quantity)} units cost {formatMoney(preview.data.result.amountMicros, currency, { precise: true })}
          </p>
        </div>
      ) : null}
    </div>
  );
}
