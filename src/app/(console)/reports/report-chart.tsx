"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

const palette = ["#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626"];

/** A report's trend (amounts in currency units, for plotting only: the table keeps exact micro-units). */
export function ReportChart({ x, series, labels, rows, currency }: { x: string; series: string[]; labels: Record<string, string>; rows: Array<Record<string, string | number>>; currency: string }) {
  if (rows.length === 0) return null;
  return (
    <div className="h-64 w-full rounded-lg border p-2" role="img" aria-label={`Chart of ${series.map((key) => labels[key] ?? key).join(", ")} by ${x}, in ${currency.toUpperCase()}`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey={x} fontSize={12} />
          <YAxis fontSize={12} tickFormatter={(value: number) => value.toLocaleString("en-US")} />
          <Tooltip formatter={(value) => `${Number(value).toLocaleString("en-US", { minimumFractionDigits: 2 })} ${currency.toUpperCase()}`} />
          <Legend />
          {series.map((key, index) => (
            <Bar key={key} dataKey={key} name={labels[key] ?? key} fill={palette[index % palette.length]} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
