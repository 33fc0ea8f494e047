/** Formatting for people, used only by the UI. Money arrives as bigint micro-units (or their string). */
const microsPerUnit = 1_000_000n;

/** `signed`: a change, with "+" before a positive amount (a negative one always has "−"). */
export function formatMoney(micros: bigint | string, currency = "usd", options: { precise?: boolean; signed?: boolean } = {}): string {
  const value = typeof micros === "bigint" ? micros : BigInt(micros);
  const negative = value < 0n;
  const absolute = negative ? -value : value;
  const whole = absolute / microsPerUnit;
  const fraction = (absolute % microsPerUnit).toString().padStart(6, "0");
  const shownFraction = options.precise ? fraction.replace(/0+$/, "").padEnd(2, "0") : fraction.slice(0, 2);
  const grouped = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const symbol = currency.toLowerCase() === "usd" ? "$" : currency.toLowerCase() === "eur" ? "€" : `${currency.toUpperCase()} `;
  const sign = negative ? "−" : options.signed && value > 0n ? "+" : "";
  return `${sign}${symbol}${grouped}.${shownFraction}`;
}

export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return "—";
  const date = typeof value === "string" ? new Date(value) : value;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function formatDate(value: Date | string | null | undefined): string {
  if (!value) return "—";
  const date = typeof value === "string" ? new Date(value) : value;
  return date.toISOString().slice(0, 10);
}

/** An exact decimal quantity (a string) with thousands separators, never through floating point: "1234567.5" → "1,234,567.5". */
export function formatQuantity(value: string | null | undefined, unit?: string): string {
  if (value === null || value === undefined || value === "") return "—";
  const negative = value.startsWith("-");
  const [whole = "0", fraction] = (negative ? value.slice(1) : value).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const text = `${negative ? "−" : ""}${grouped}${fraction ? `.${fraction}` : ""}`;
  return unit ? `${text} ${unit}${unit.endsWith("s") || text === "1" ? "" : "s"}` : text;
}
