import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Button } from "@/components/ui/button";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { promotionsView } from "@/server/api/lists/promotion-lists";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import { PromotionsTable } from "./promotions-table";

export default async function PromotionsPage({ searchParams }: { searchParams: Promise<UrlParams> }) {
  const user = await requirePermission("promotions.read");
  const view = parseView(promotionsView, await searchParams);
  const input = view.ok ? view.input : promotionsView.parse({});
  const api = await getServerApi();
  const { page, error } = await loadView(input, (next) => api.promotion.list({ ...next, limit: 50 }));
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Promotions"
        description="Credits, discounts and allowances given by codes. Money columns come from the ledger."
        actions={
          can(user.role, "promotions.write") ? (
            <Button asChild>
              <Link href="/promotions/new">New promotion</Link>
            </Button>
          ) : null
        }
      />
      <PromotionsTable
        rows={page.items}
        nextCursor={page.nextCursor}
        error={view.ok ? error : `${view.message} (showing every promotion)`}
        emptyMessage={input.search || input.status ? "No promotion matches this view." : "No promotions yet."}
      />
    </div>
  );
}
