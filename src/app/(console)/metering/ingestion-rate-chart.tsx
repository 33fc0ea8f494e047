"use client";

import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

type Point = { at: string; perMinute: number };

function tickLabel(iso: string, range: "hour" | "day" | "week"): string {
  // UTC, like every time in the console.
  return range === "week" ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
}

export function IngestionRateChart({ points, range }: { points: Point[]; range: "hour" | "day" | "week" }) {
  if (points.every((point) => point.perMinute === 0)) {
    return <p className="text-sm text-muted-foreground">No events were accepted in this range.</p>;
  }
  return (
    <div className="h-56 w-full" data-testid="ingestion-rate-chart">
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="at" tickFormatter={(value: string) => tickLabel(value, range)} minTickGap={40} fontSize={12} />
          <YAxis width={48} fontSize={12} allowDecimals />
          <Tooltip
            labelFormatter={(value) => `${String(value).slice(0, 16).replace("T", " ")} UTC`}
            formatter={(value) => [`${Number(value).toFixed(1)} / min`, "accepted"]}
          />
          <Area type="monotone" dataKey="perMinute" stroke="var(--color-primary)" fill="var(--color-primary)" fillOpacity={0.15} isAnimationActive={false} />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}
