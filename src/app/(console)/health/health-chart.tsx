"use client";

import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

type Point = { at: string } & Record<string, number | null | string>;

const colors = ["var(--color-primary)", "#d97706", "#dc2626", "#2563eb", "#7c3aed", "#059669", "#db2777"];

function tickLabel(iso: string, monthly: boolean): string {
  return monthly ? iso.slice(0, 7) : iso.slice(11, 16);
}

/** One health chart: a line per series over the range (UTC times), no animation. */
export function HealthChart({ points, series, monthly = false, testId }: { points: Point[]; series: { key: string; label: string }[]; monthly?: boolean; testId: string }) {
  const hasData = points.some((point) => series.some((each) => typeof point[each.key] === "number" && point[each.key] !== 0));
  if (!hasData) return <p className="py-6 text-center text-sm text-muted-foreground" data-testid={testId}>Nothing in this range.</p>;
  return (
    <div className="h-40 w-full" data-testid={testId}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="at" tickFormatter={(value: string) => tickLabel(value, monthly)} minTickGap={40} fontSize={11} />
          <YAxis width={44} fontSize={11} allowDecimals />
          <Tooltip labelFormatter={(value) => (monthly ? String(value).slice(0, 7) : `${String(value).slice(0, 16).replace("T", " ")} UTC`)} />
          {series.map((each, index) => (
            <Line key={each.key} type="monotone" dataKey={each.key} name={each.label} stroke={colors[index % colors.length]} dot={false} strokeWidth={2} connectNulls isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
