import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Card, CardContent } from "@/components/ui/card";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import { CloseDueButton } from "./close-due-button";
import { InvoicesTable } from "./invoices-table";

export default async function InvoicesPage({ searchParams }: { searchParams: Promise<{ cursor?: string }> }) {
  const user = await requirePermission("billing.read");
  const { cursor } = await searchParams;
  const api = await getServerApi();
  const page = await api.invoice.list({ cursor, limit: 50 });
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Invoices" description="Tally's invoices, newest first: period close, threshold and proration invoices." actions={can(user.role, "billing.close") ? <CloseDueButton /> : null} />
      <Card>
        <CardContent>
          {page.items.length === 0 ? (
            <p className="text-sm text-muted-foreground">No invoices yet.</p>
          ) : (
            <InvoicesTable invoices={page.items} showCustomer testId="invoices-table" />
          )}
          {page.nextCursor ? (
            <Link href={`/invoices?cursor=${encodeURIComponent(page.nextCursor)}`} className="mt-4 inline-block text-sm underline-offset-4 hover:underline">
              Older invoices →
            </Link>
          ) : null}
        </CardContent>
      </Card>
    </div>
  );
}
