"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { describeError } from "@/components/console/use-mutation-error";
import { formatMoney } from "@/lib/format";
import { Alert } from "@/components/ui/alert";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { UsageCost } from "@/server/metering/get-usage-cost";
import { useTRPC } from "@/trpc/react";

export type UsagePeriodOption = { key: string; label: string; from: string; to: string };
type MeterOption = { key: string; name: string; unit: string; aggregation: string; groupBy: string[] };

const palette = ["#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2", "#4b5563"];
const noGroup = "total";
const previousKey = "span before";
const dayMs = 86_400_000;

/** Thousands separators on an exact decimal string, without turning it into a float. */
function formatQuantity(value: string | null): string {
  if (value === null) return "—";
  const [whole = "0", fraction] = value.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const trimmed = fraction?.replace(/0+$/, "");
  return trimmed ? `${grouped}.${trimmed}` : grouped;
}

function groupLabel(dimensions: Record<string, string | null>, groupBy: string | null): string {
  if (!groupBy) return noGroup;
  return dimensions[groupBy] ?? "(none)";
}

export function UsageChart({ customerId, meters, periods }: { customerId: string; meters: MeterOption[]; periods: UsagePeriodOption[] }) {
  const trpc = useTRPC();
  const [meterKey, setMeterKey] = useState(meters[0]?.key ?? "");
  const [periodKey, setPeriodKey] = useState(periods[0]?.key ?? "");
  const [groupBy, setGroupBy] = useState<string | null>(null);
  const [view, setView] = useState<"usage" | "cost">("usage");
  const meter = meters.find((each) => each.key === meterKey) ?? meters[0];
  const period = periods.find((each) => each.key === periodKey) ?? periods[0];
  const dimension = groupBy !== null && meter?.groupBy.includes(groupBy) ? groupBy : null;
  const usage = useQuery({
    ...trpc.metering.usage.queryOptions({
      customerId,
      meterKey: meter?.key ?? "",
      from: new Date(period?.from ?? 0),
      to: new Date(period?.to ?? 0),
      window: "day",
      groupBy: dimension ? [dimension] : [],
    }),
    enabled: meter !== undefined && period !== undefined,
  });
  // The period of the same length just before, overlaid as a line (day 1 on day 1), so a drop or a spike shows against last time.
  const [overlay, setOverlay] = useState(true);
  const fromMs = new Date(period?.from ?? 0).getTime();
  const toMs = new Date(period?.to ?? 0).getTime();
  const previous = useQuery({
    ...trpc.metering.usage.queryOptions({ customerId, meterKey: meter?.key ?? "", from: new Date(fromMs - (toMs - fromMs)), to: new Date(fromMs), window: "day", groupBy: [] }),
    enabled: view === "usage" && overlay && meter !== undefined && period !== undefined && toMs - fromMs <= 200 * dayMs,
  });
  // The cost view: each day's usage valued at the customer's own prices (allowance and tiers applied as the invoice does).
  const cost = useQuery({
    ...trpc.metering.usageCost.queryOptions({ customerId, meterKey: meter?.key ?? "", from: new Date(fromMs), to: new Date(toMs) }),
    enabled: view === "cost" && meter !== undefined && period !== undefined,
  });
  const previousCost = useQuery({
    ...trpc.metering.usageCost.queryOptions({ customerId, meterKey: meter?.key ?? "", from: new Date(fromMs - (toMs - fromMs)), to: new Date(fromMs) }),
    enabled: view === "cost" && overlay && meter !== undefined && period !== undefined,
  });

  const groups = [...new Set((usage.data?.totals ?? []).map((total) => groupLabel(total.dimensions, dimension)))].sort();
  const byDay = new Map<string, Record<string, string | number>>();
  // Every day of the period gets a row, zero when nothing was recorded: an outage shows as a gap, not as a shorter chart.
  const firstDay = Math.floor(fromMs / dayMs) * dayMs;
  for (let day = firstDay; day < toMs && byDay.size < 400; day += dayMs) {
    const row: Record<string, string | number> = { day: new Date(day).toISOString().slice(0, 10) };
    for (const group of groups) row[group] = 0;
    byDay.set(row.day as string, row);
  }
  const previousByOffset = new Map<number, number>();
  for (const point of previous.data?.data ?? []) {
    const offset = Math.round((point.windowStart.getTime() - (Math.floor((fromMs - (toMs - fromMs)) / dayMs) * dayMs)) / dayMs);
    previousByOffset.set(offset, (previousByOffset.get(offset) ?? 0) + Number(point.value ?? 0));
  }
  if (overlay && previous.data) {
    let offset = 0;
    for (const row of byDay.values()) row[previousKey] = previousByOffset.get(offset++) ?? 0;
  }
  for (const point of usage.data?.data ?? []) {
    const day = point.windowStart.toISOString().slice(0, 10);
    const row = byDay.get(day) ?? { day };
    // For plotting only: the chart's y-axis needs numbers; the totals below stay exact decimals.
    row[groupLabel(point.dimensions, dimension)] = Number(point.value ?? 0);
    byDay.set(day, row);
  }
  const rows = [...byDay.values()];
  const hasUsage = (usage.data?.data.length ?? 0) > 0;

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap gap-4">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`usage-meter-${customerId}`}>Meter</Label>
          <NativeSelect id={`usage-meter-${customerId}`} className="w-56" value={meter?.key} onChange={(event) => setMeterKey(event.target.value)}>
            {meters.map((each) => (
              <option key={each.key} value={each.key}>
                {each.name}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="flex max-w-full flex-col gap-1.5">
          <Label htmlFor={`usage-period-${customerId}`}>Period</Label>
          <NativeSelect id={`usage-period-${customerId}`} className="w-96 max-w-full" value={period?.key} onChange={(event) => setPeriodKey(event.target.value)}>
            {periods.map((each) => (
              <option key={each.key} value={each.key}>
                {each.label}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`usage-view-${customerId}`}>Show</Label>
          <NativeSelect id={`usage-view-${customerId}`} className="w-48" value={view} onChange={(event) => setView(event.target.value === "cost" ? "cost" : "usage")}>
            <option value="usage">Usage ({meter?.unit ?? "units"})</option>
            <option value="cost">Cost at their prices</option>
          </NativeSelect>
        </div>
        <label className="flex items-center gap-2 self-end pb-2 text-sm">
          <input type="checkbox" checked={overlay} onChange={(event) => setOverlay(event.target.checked)} />
          Overlay the span before (same length)
        </label>
        {view === "usage" && meter && meter.groupBy.length > 0 ? (
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`usage-group-${customerId}`}>Group by</Label>
            <NativeSelect id={`usage-group-${customerId}`} className="w-40" value={dimension ?? ""} onChange={(event) => setGroupBy(event.target.value || null)}>
              <option value="">nothing</option>
              {meter.groupBy.map((each) => (
                <option key={each} value={each}>
                  {each}
                </option>
              ))}
            </NativeSelect>
          </div>
        ) : null}
      </div>
      {view === "cost" ? (
        <CostView cost={cost} previous={overlay ? previousCost : null} fromMs={fromMs} toMs={toMs} meterName={meter?.name ?? "usage"} />
      ) : null}
      {view === "cost" ? null : usage.error ? <Alert variant="destructive">{describeError(usage.error)}</Alert> : null}
      {view === "usage" && usage.isPending ? <p className="text-sm text-muted-foreground">Loading usage…</p> : null}
      {view === "usage" && usage.data && !hasUsage ? (
        <p className="text-sm text-muted-foreground" data-testid="usage-empty">
          No {meter?.name ?? "usage"} recorded for this customer in this period: either they have not used it, or their events name a different
          subject than this customer&apos;s external id (see Ingestion → Unknown subjects).
        </p>
      ) : null}
      {view === "usage" && usage.data && hasUsage ? (
        <>
          <div className="h-64 w-full" data-testid="usage-chart">
            <ResponsiveContainer width="100%" height="100%">
              <ComposedChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="day" tickFormatter={(value: string) => value.slice(5)} minTickGap={16} fontSize={12} />
                <YAxis width={64} fontSize={12} tickFormatter={(value: number) => Intl.NumberFormat("en-US", { notation: "compact" }).format(value)} />
                <Tooltip formatter={(value, name) => [`${Number(value).toLocaleString("en-US")} ${meter?.unit ?? ""}`, String(name)]} />
                {dimension || (overlay && previous.data) ? <Legend /> : null}
                {groups.map((group, index) => (
                  <Bar key={group} dataKey={group} stackId="usage" fill={palette[index % palette.length]} isAnimationActive={false} />
                ))}
                {overlay && previous.data ? <Line dataKey={previousKey} type="monotone" stroke="#6b7280" strokeDasharray="4 3" dot={false} isAnimationActive={false} /> : null}
              </ComposedChart>
            </ResponsiveContainer>
          </div>
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>{dimension ?? "Meter"}</TableHead>
                <TableHead className="text-right">
                  Total ({meter?.aggregation === "unique_count" ? "distinct over the period" : meter?.aggregation}, {meter?.unit})
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody data-testid="usage-totals">
              {usage.data.totals.map((total) => (
                <TableRow key={JSON.stringify(total.dimensions)}>
                  <TableCell>{dimension ? groupLabel(total.dimensions, dimension) : meter?.name}</TableCell>
                  <TableCell className="text-right tabular-nums">{formatQuantity(total.value)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      ) : null}
    </div>
  );
}

type CostQuery = { data?: UsageCost; error: unknown; isPending: boolean };

/**
 * The cost view: bars per day of what the day's usage added to the period's charge at the
 * customer's prices, stacked by the price's rating group (e.g. model), with the span before as a
 * line; the totals below in exact money.
 */
function CostView({ cost, previous, fromMs, toMs, meterName }: { cost: CostQuery; previous: CostQuery | null; fromMs: number; toMs: number; meterName: string }) {
  if (cost.error) return <Alert variant="destructive">{describeError(cost.error)}</Alert>;
  if (cost.isPending || !cost.data) return <p className="text-sm text-muted-foreground">Valuing usage at the customer&apos;s prices…</p>;
  const data = cost.data;
  if (!data.priced) return <p className="text-sm text-muted-foreground" data-testid="usage-cost-unpriced">{data.reason}</p>;
  const groups = [...new Set(data.days.flatMap((day) => Object.keys(day.byGroup)))].sort();
  const previousDays = previous?.data?.priced ? previous.data.days : null;
  const rows: Record<string, string | number>[] = [];
  const firstDay = Math.floor(fromMs / dayMs) * dayMs;
  const byDay = new Map(data.days.map((day) => [day.day, day]));
  for (let day = firstDay, offset = 0; day < toMs && rows.length < 400; day += dayMs, offset += 1) {
    const key = new Date(day).toISOString().slice(0, 10);
    const row: Record<string, string | number> = { day: key };
    // For plotting only (currency units as numbers); the totals below stay exact.
    for (const group of groups) row[group] = Number(byDay.get(key)?.byGroup[group] ?? 0n) / 1_000_000;
    if (previousDays) row[previousKey] = Number(previousDays[offset]?.costMicros ?? 0n) / 1_000_000;
    rows.push(row);
  }
  const totals = new Map<string, bigint>();
  for (const day of data.days) for (const [group, micros] of Object.entries(day.byGroup)) totals.set(group, (totals.get(group) ?? 0n) + micros);
  const money = (value: number) => formatMoney(BigInt(Math.round(value * 1_000_000)), data.currency);
  return (
    <>
      <p className="text-sm text-muted-foreground">
        Each day&apos;s usage valued at {data.planName} (version {data.planVersion}) prices: the allowance and tiers apply over the billing period as
        on the invoice, so usage inside the allowance costs nothing. Before promotions, discounts and credits.
      </p>
      <div className="h-64 w-full" data-testid="usage-cost-chart">
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="day" tickFormatter={(value: string) => value.slice(5)} minTickGap={16} fontSize={12} />
            <YAxis width={72} fontSize={12} tickFormatter={(value: number) => money(value)} />
            <Tooltip formatter={(value, name) => [money(Number(value)), String(name)]} />
            {groups.length > 1 || previousDays ? <Legend /> : null}
            {groups.map((group, index) => (
              <Bar key={group} dataKey={group} stackId="cost" fill={palette[index % palette.length]} isAnimationActive={false} />
            ))}
            {previousDays ? <Line dataKey={previousKey} type="monotone" stroke="#6b7280" strokeDasharray="4 3" dot={false} isAnimationActive={false} /> : null}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>{data.ratingDimension ?? "Meter"}</TableHead>
            <TableHead className="text-right">Cost ({data.currency.toUpperCase()})</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody data-testid="usage-cost-totals">
          {[...totals.entries()].map(([group, micros]) => (
            <TableRow key={group}>
              <TableCell>{group}</TableCell>
              <TableCell className="text-right tabular-nums">{formatMoney(micros, data.currency, { precise: true })}</TableCell>
            </TableRow>
          ))}
          <TableRow>
            <TableCell className="font-medium">Total {meterName}</TableCell>
            <TableCell className="text-right font-medium tabular-nums" data-testid="usage-cost-total">
              {formatMoney(data.totalMicros, data.currency, { precise: true })}
            </TableCell>
          </TableRow>
        </TableBody>
      </Table>
    </>
  );
}
