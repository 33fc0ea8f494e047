import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { syncFailuresView } from "@/server/api/lists/webhook-lists";
import { getServerApi } from "@/trpc/server";
import { SyncFailuresTable } from "./sync-failures-table";

export default async function SyncFailuresPage({ searchParams }: { searchParams: Promise<UrlParams> }) {
  await requirePermission("stripe.admin");
  const view = parseView(syncFailuresView, await searchParams);
  const input = view.ok ? view.input : syncFailuresView.parse({});
  const api = await getServerApi();
  const [{ page, error }, kinds] = await Promise.all([loadView(input, (next) => api.stripe.listSyncFailuresView({ ...next, limit: 50 })), api.stripe.syncFailureKinds()]);
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Stripe sync failures"
        description="Writes to Stripe that Stripe refused for good (a 4xx other than 409 or 429): recorded, not retried. Fix the cause, then rerun the sync job for the object."
        actions={
          <Link href="/admin/webhooks" className="text-sm underline-offset-4 hover:underline">
            Stripe webhooks
          </Link>
        }
      />
      <SyncFailuresTable
        rows={page.items}
        nextCursor={page.nextCursor}
        operations={kinds.operations}
        objectTypes={kinds.objectTypes}
        error={view.ok ? error : `${view.message} (showing every failure)`}
        emptyMessage={input.search || input.operation || input.objectType ? "No failure matches this view." : "Stripe has refused no write."}
      />
    </div>
  );
}
