import { orNotFound } from "@/components/console/or-not-found";
import { Suspense } from "react";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Badge } from "@/components/ui/badge";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import { EditCustomerDialog } from "./edit-customer-dialog";
import { customerSections } from "./sections";
import { TimelineSection, type TimelineParams } from "./timeline-section";

export default async function CustomerPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<TimelineParams> }) {
  const user = await requirePermission("customers.read");
  const { id } = await params;
  const timelineParams = await searchParams;
  const api = await getServerApi();
  const customer = await orNotFound(api.customer.get({ id }));
  const sections = customerSections.filter((section) => can(user.role, section.permission));
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title={customer.name}
        description={
          <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
            <span className="break-all">{customer.email}</span>·<span className="font-mono text-xs break-all">{customer.externalId}</span>
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
        <TimelineSection customerId={customer.id} params={timelineParams} />
      </Suspense>
    </div>
  );
}

function SectionSkeleton({ label }: { label: string }) {
  return (
    // A role that may be named (a plain div may not carry aria-label), announced politely while the section streams in.
    <div role="status" className="h-40 animate-pulse rounded-lg border bg-muted/40" aria-busy="true">
      <span className="sr-only">Loading {label}…</span>
    </div>
  );
}
