import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDate, formatDateTime, formatMoney } from "@/lib/format";
import { TRPCError } from "@trpc/server";
import Link from "next/link";
import { getServerApi } from "@/trpc/server";
import { InvoiceLinesTable } from "../../invoices/invoice-lines-table";
import { InvoicesTable } from "../../invoices/invoices-table";
import type { CustomerSectionProps } from "./sections";

/** The customer's invoices and what the current period would bill for usage so far. */
export async function InvoicesSection({ customerId }: CustomerSectionProps) {
  const api = await getServerApi();
  // A preview that cannot be rated (usage stored before values were checked) is named, not a broken page.
  const [page, previewOrProblem] = await Promise.all([
    api.invoice.list({ customerId, limit: 24 }),
    api.invoice.previewUnbilled({ customerId }).catch((error: unknown) => {
      if (error instanceof TRPCError && error.code === "PRECONDITION_FAILED") return { problem: error.message };
      throw error;
    }),
  ]);
  const preview = previewOrProblem && "problem" in previewOrProblem ? null : previewOrProblem;
  const problem = previewOrProblem && "problem" in previewOrProblem ? previewOrProblem.problem : null;
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
          {problem ? (
            <p className="text-sm text-destructive" data-testid="unbilled-problem">
              {problem}
            </p>
          ) : preview ? (
            <InvoiceLinesTable currency={preview.currency} lines={preview.lines.map((line) => ({ ...line, servicePeriodStart: line.servicePeriod.start, servicePeriodEnd: line.servicePeriod.end }))} />
          ) : (
            <p className="text-sm text-muted-foreground">No live subscription.</p>
          )}
        </div>
        {page.items.length === 0 ? (
          <p className="text-sm text-muted-foreground">No invoices yet.</p>
        ) : (
          <div>
            {page.items.length > 1 ? (
              <Link href={`/invoices/compare?customer=${customerId}&a=${page.items[1]!.id}&b=${page.items[0]!.id}`} className="mb-2 inline-block text-sm underline-offset-4 hover:underline">
                Compare invoices
              </Link>
            ) : null}
            <InvoicesTable invoices={page.items} showCustomer={false} testId="customer-invoices" />
            {page.nextCursor ? (
              <Link href={`/invoices?customer=${customerId}`} className="mt-3 inline-block text-sm underline-offset-4 hover:underline" data-testid="all-customer-invoices">
                All of this customer&apos;s invoices, paged, sorted and exportable →
              </Link>
            ) : null}
          </div>
        )}
      </CardContent>
    </Card>
  );
}
