import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import type { DataTableFilter } from "@/components/data-table/data-table";
import { anomalyKinds, anomalySeverities, anomalyStatuses } from "@/db/schema";
import { anomaliesView } from "@/server/api/lists/anomaly-lists";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { getServerApi } from "@/trpc/server";
import { AnomaliesTable } from "./anomalies-table";
import { kindLabels, statusLabels } from "./anomaly-list-parts";

const pageSize = 25;

/** The queue: what needs a person, most money first; the view (filters, sort, page) lives in the URL so it can be shared. */
export default async function AnomaliesPage({ searchParams }: { searchParams: Promise<UrlParams> }) {
  await requirePermission("anomalies.read");
  const view = parseView(anomaliesView, await searchParams);
  const input = view.ok ? view.input : anomaliesView.parse({});
  const api = await getServerApi();
  const [{ page, error }, assignees] = await Promise.all([loadView(input, (next) => api.anomaly.listView({ ...next, limit: pageSize })), api.anomaly.assignees()]);
  const filters: DataTableFilter[] = [
    {
      id: "status",
      label: "Status",
      defaultValue: "active",
      options: [{ value: "active", label: "Open or acknowledged" }, { value: "all", label: "Any status" }, ...anomalyStatuses.map((status) => ({ value: status, label: statusLabels[status] }))],
    },
    { id: "kind", label: "Kind", options: anomalyKinds.map((kind) => ({ value: kind, label: kindLabels[kind] })) },
    { id: "severity", label: "Severity", options: anomalySeverities.map((severity) => ({ value: severity, label: severity })) },
    { id: "customer", label: "Customer (external id)", text: { placeholder: "usr_0001_…", maxLength: 256 } },
    { id: "assignee", label: "Assignee", options: [{ value: "me", label: "Me" }, { value: "none", label: "Nobody" }, ...assignees.map((user) => ({ value: user.id, label: user.name }))] },
  ];
  const customerText = input.customer?.trim() ?? "";
  const narrowed = input.kind || input.severity || customerText || input.assignee || (input.status && input.status !== "active");
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Anomalies"
        description="Billing anomalies found by detection, with the cause named. Most money at stake first; open one to investigate and act."
        actions={
          <Link href="/anomalies/settings" className="text-sm underline-offset-4 hover:underline">
            Detection thresholds
          </Link>
        }
      />
      {page.unknownCustomer ? (
        <p className="text-sm text-muted-foreground" role="status">
          No customer has the external id “{customerText.length > 80 ? `${customerText.slice(0, 80)}…` : customerText}”.
        </p>
      ) : null}
      <AnomaliesTable
        rows={page.items}
        nextCursor={page.nextCursor}
        filters={filters}
        error={view.ok ? error : `${view.message} (showing the open queue)`}
        emptyMessage={narrowed ? "No anomalies match these filters." : "Nothing is open: detection has found nothing that needs a person."}
      />
    </div>
  );
}
