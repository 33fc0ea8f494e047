/** Short numbers for anomaly titles (stored text a person reads in the queue): 1.2M, 3,400, 0.25. */
export function describeQuantity(value: number): string {
  if (!Number.isFinite(value)) return "—";
  const absolute = Math.abs(value);
  if (absolute >= 1e9) return `${trim(value / 1e9)}B`;
  if (absolute >= 1e6) return `${trim(value / 1e6)}M`;
  if (absolute >= 1e4) return `${trim(value / 1e3)}k`;
  if (absolute >= 10) return Math.round(value).toLocaleString("en-US");
  return trim(value);
}

/** 8.2×, 0.05×, or "far above" when nothing was expected. */
export function describeRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return "far above";
  if (ratio >= 10) return `${Math.round(ratio)}×`;
  return `${trim(ratio)}×`;
}

function trim(value: number): string {
  return (Math.round(value * 10) / 10).toLocaleString("en-US", { maximumFractionDigits: 1 });
}
