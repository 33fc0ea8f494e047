import type { Payment } from "@/server/stripe/list-payments";

export const paymentStatusVariant: Record<string, "default" | "secondary" | "destructive" | "outline"> = { succeeded: "default", pending: "secondary", failed: "destructive" };

/** The card as a person recognises it: brand, last 4, expiry. */
export function describeCard(payment: Payment): string {
  if (!payment.cardLast4) return payment.cardBrand ?? "—";
  const brand = payment.cardBrand ? payment.cardBrand[0]!.toUpperCase() + payment.cardBrand.slice(1) : "Card";
  const expiry = payment.cardExpMonth && payment.cardExpYear ? ` (exp. ${String(payment.cardExpMonth).padStart(2, "0")}/${String(payment.cardExpYear).slice(-2)})` : "";
  return `${brand} •••• ${payment.cardLast4}${expiry}`;
}
