import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { auditView } from "@/server/api/lists/registry";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { getServerApi } from "@/trpc/server";
import { AuditTable } from "./audit-table";

export default async function AuditPage({ searchParams }: { searchParams: Promise<UrlParams> }) {
  await requirePermission("audit.read");
  const view = parseView(auditView, await searchParams);
  const input = view.ok ? view.input : auditView.parse({});
  const api = await getServerApi();
  const [{ page, error }, values] = await Promise.all([loadView(input, (next) => api.audit.listView({ ...next, limit: 50 })), api.audit.filterValues()]);
  return (
    <div>
      <PageHeader title="Audit log" description="Every change made by a person, an API key or Tally itself, newest first. Nothing here can be edited." />
      <AuditTable
        rows={page.items}
        nextCursor={page.nextCursor}
        actions={values.actions}
        objectTypes={values.objectTypes}
        error={view.ok ? error : `${view.message} (showing the whole log)`}
        emptyMessage="No entries match these filters."
      />
    </div>
  );
}
