"use client";

import { Area, CartesianGrid, ComposedChart, Legend, Line, ReferenceArea, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

type Point = { day: string; observed: number; expected: number | null; bandLow: number | null; bandHigh: number | null; inWindow: boolean };

/** Observed daily usage against the expected value and the usual range; the anomaly's window is shaded. */
export function AnomalyChart({ points, unit }: { points: Point[]; unit: string }) {
  const rows = points.map((point) => ({ ...point, band: point.bandLow === null || point.bandHigh === null ? null : [point.bandLow, point.bandHigh] }));
  const window = points.filter((point) => point.inWindow);
  return (
    <div className="h-72 w-full" data-testid="anomaly-chart" role="img" aria-label={`Daily ${unit}: observed against the expected band`}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="day" tick={{ fontSize: 11 }} />
          <YAxis tick={{ fontSize: 11 }} width={70} tickFormatter={(value: number) => value.toLocaleString("en-US", { maximumFractionDigits: 1, notation: "compact" })} />
          <Tooltip formatter={(value) => (Array.isArray(value) ? value.map((each) => Number(each).toLocaleString("en-US")).join(" – ") : Number(value).toLocaleString("en-US"))} />
          <Legend />
          {window.length > 0 ? <ReferenceArea x1={window[0]!.day} x2={window.at(-1)!.day} fill="#f59e0b" fillOpacity={0.12} /> : null}
          <Area type="monotone" dataKey="band" name="Usual range" stroke="none" fill="#94a3b8" fillOpacity={0.3} isAnimationActive={false} />
          <Line type="monotone" dataKey="expected" name="Expected" stroke="#64748b" strokeDasharray="5 4" dot={false} isAnimationActive={false} />
          <Line type="monotone" dataKey="observed" name={`Observed (${unit})`} stroke="#2563eb" strokeWidth={2} dot={{ r: 2 }} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
