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
