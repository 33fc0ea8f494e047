import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { creditRequestsView } from "@/server/api/lists/credit-request-lists";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { getServerApi } from "@/trpc/server";
import { ApprovalsTable } from "./approvals-table";

export default async function CreditApprovalsPage({ searchParams }: { searchParams: Promise<UrlParams> }) {
  const user = await requirePermission("grants.approve");
  const view = parseView(creditRequestsView, await searchParams);
  const input = view.ok ? view.input : creditRequestsView.parse({});
  const api = await getServerApi();
  const { page, error } = await loadView(input, (next) => api.grant.requests({ ...next, limit: 50 }));
  const status = input.status ?? "pending";
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Credit approvals" description="Credits above the requester's limit wait here, oldest first; filter by status for past decisions. You cannot decide your own requests." />
      <ApprovalsTable
        rows={page.items}
        currentUserId={user.id}
        status={status}
        nextCursor={page.nextCursor}
        error={view.ok ? error : `${view.message} (showing the queue)`}
        emptyMessage={status === "pending" && !input.search ? "No credit requests are waiting for approval." : "No credit request matches this view."}
      />
    </div>
  );
}
