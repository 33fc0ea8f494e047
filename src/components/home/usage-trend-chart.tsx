"use client";

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

const palette = ["#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2", "#4b5563"];

/** Usage per day and meter over the last 30 days; the exact totals are in the table beside it. */
export function UsageTrendChart({ rows, series }: { rows: Record<string, string | number>[]; series: string[] }) {
  return (
    <div className="h-64 w-full" role="img" aria-label={`Daily usage over the last 30 days for ${series.join(", ")}`}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="day" tick={{ fontSize: 11 }} minTickGap={24} />
          <YAxis tick={{ fontSize: 11 }} width={56} tickFormatter={(value: number) => new Intl.NumberFormat("en", { notation: "compact" }).format(value)} />
          <Tooltip formatter={(value) => new Intl.NumberFormat("en").format(Number(value))} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {series.map((name, index) => (
            <Line key={name} type="monotone" dataKey={name} stroke={palette[index % palette.length]} dot={false} strokeWidth={2} isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
