import { notFound } from "next/navigation";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { can } from "@/server/api/permissions";
import { TRPCError } from "@trpc/server";
import { getServerApi } from "@/trpc/server";
import { formatDateTime } from "@/lib/format";
import { EditCustomerDialog } from "./edit-customer-dialog";
import { customerSections } from "./sections";

export default async function CustomerPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePermission("customers.read");
  const { id } = await params;
  const api = await getServerApi();
  const customer = await api.customer.get({ id }).catch((error: unknown) => {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const timeline = await api.customer.timeline({ customerId: customer.id, limit: 50 });
  const sections = customerSections.filter((section) => can(user.role, section.permission));
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title={customer.name}
        description={
          <span className="flex items-center gap-2">
            <span>{customer.email}</span>·<span className="font-mono text-xs">{customer.externalId}</span>
            <Badge variant={customer.kind === "team" ? "default" : "secondary"}>{customer.kind}</Badge>
          </span>
        }
        actions={
          can(user.role, "customers.write") ? (
            <EditCustomerDialog customerId={customer.id} name={customer.name} email={customer.email} />
          ) : null
        }
      />
      {sections.map(({ key, Component }) => (
        <Component key={key} customerId={customer.id} role={user.role} />
      ))}
      <Card>
        <CardHeader>
          <CardTitle>Timeline</CardTitle>
        </CardHeader>
        <CardContent>
          {timeline.length === 0 ? (
            <p className="text-sm text-muted-foreground">No changes recorded for this customer yet.</p>
          ) : (
            <ol className="flex flex-col gap-2 text-sm" data-testid="customer-timeline">
              {timeline.map((entry) => (
                <li key={entry.id.toString()} className="flex gap-3">
                  <span className="w-40 shrink-0 text-muted-foreground">{formatDateTime(entry.occurredAt)}</span>
                  <span className="font-medium">{entry.action}</span>
                  <span className="text-muted-foreground">by {entry.actorLabel}</span>
                  {entry.reason ? <span>— {entry.reason}</span> : null}
                </li>
              ))}
            </ol>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
