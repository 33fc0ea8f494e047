import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDate, formatDateTime, formatMoney } from "@/lib/format";
import { getServerApi } from "@/trpc/server";
import { InvoiceLinesTable } from "../../invoices/invoice-lines-table";
import { InvoicesTable } from "../../invoices/invoices-table";
import type { CustomerSectionProps } from "./sections";

/** The customer's invoices and what the current period would bill for usage so far. */
export async function InvoicesSection({ customerId }: CustomerSectionProps) {
  const api = await getServerApi();
  const [page, preview] = await Promise.all([api.invoice.list({ customerId, limit: 24 }), api.invoice.previewUnbilled({ customerId })]);
  return (
    <Card data-testid="invoices-section">
      <CardHeader>
        <CardTitle>Invoices</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-6">
        <div>
          <h3 className="mb-2 text-sm font-medium">
            Unbilled usage this period
            {preview ? (
              <span className="ml-2 font-normal text-muted-foreground">
                {formatDate(preview.period.start)} → {formatDate(preview.period.end)}, as of {formatDateTime(preview.asOf)}:{" "}
                <span className="font-mono text-foreground" data-testid="unbilled-total">
                  {formatMoney(preview.unbilledMicros, preview.currency, { precise: true })}
                </span>
              </span>
            ) : null}
          </h3>
          {preview ? (
            <InvoiceLinesTable currency={preview.currency} lines={preview.lines.map((line) => ({ ...line, servicePeriodStart: line.servicePeriod.start, servicePeriodEnd: line.servicePeriod.end }))} />
          ) : (
            <p className="text-sm text-muted-foreground">No live subscription.</p>
          )}
        </div>
        {page.items.length === 0 ? (
          <p className="text-sm text-muted-foreground">No invoices yet.</p>
        ) : (
          <InvoicesTable invoices={page.items} showCustomer={false} testId="customer-invoices" />
        )}
      </CardContent>
    </Card>
  );
}
