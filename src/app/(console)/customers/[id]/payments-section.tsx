import Link from "next/link";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { getServerApi } from "@/trpc/server";
import { PaymentsTable } from "../../invoices/payments-table";
import type { CustomerSectionProps } from "./sections";

/** The customer's latest payments (Stripe charges) with refunds: where "was I charged twice?" is answered. */
export async function PaymentsSection({ customerId }: CustomerSectionProps) {
  const api = await getServerApi();
  const page = await api.stripe.listPayments({ customerId, limit: 20 });
  return (
    <Card id="payments" data-testid="payments-section">
      <CardHeader>
        <CardTitle>Payments and refunds</CardTitle>
      </CardHeader>
      <CardContent>
        <PaymentsTable payments={page.items} showInvoice testId="customer-payments" />
        {page.items.length > 0 ? (
          <Link href={`/customers/${customerId}/payments`} className="mt-4 inline-block text-sm underline-offset-4 hover:underline">
            {page.nextCursor ? "All payments" : "Sort, filter or export the payments"}
          </Link>
        ) : null}
      </CardContent>
    </Card>
  );
}
