import { orNotFound } from "@/components/console/or-not-found";
import { Suspense } from "react";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import { formatDateTime } from "@/lib/format";
import { EditCustomerDialog } from "./edit-customer-dialog";
import { customerSections } from "./sections";

export default async function CustomerPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePermission("customers.read");
  const { id } = await params;
  const api = await getServerApi();
  const customer = await orNotFound(api.customer.get({ id }));
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
      {/* Each section streams in on its own: the page is up at once, and one slow section holds up nothing else. */}
      {sections.map(({ key, Component }) => (
        <Suspense key={key} fallback={<SectionSkeleton label={key} />}>
          <Component customerId={customer.id} role={user.role} />
        </Suspense>
      ))}
      <Suspense fallback={<SectionSkeleton label="timeline" />}>
        <Timeline customerId={customer.id} />
      </Suspense>
    </div>
  );
}

function SectionSkeleton({ label }: { label: string }) {
  return (
    <div className="h-40 animate-pulse rounded-lg border bg-muted/40" aria-busy="true" aria-label={`Loading ${label}`} />
  );
}

async function Timeline({ customerId }: { customerId: string }) {
  const api = await getServerApi();
  const timeline = await api.customer.timeline({ customerId, limit: 50 });
  return (
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
                <li key={entry.id.toString()} className="flex flex-wrap gap-x-3 gap-y-0.5 break-words">
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
  );
}
