import { TRPCError } from "@trpc/server";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDate, formatMoney } from "@/lib/format";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { promotionRedemptionsView } from "@/server/api/lists/promotion-lists";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import { describeEffect, statusVariant } from "../describe-effect";
import { PromotionForm } from "../promotion-form";
import { valuesOf } from "../promotion-form-values";
import { PromotionActions } from "./promotion-actions";
import { RedemptionsTable } from "./redemptions-table";

export default async function PromotionPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<UrlParams> }) {
  const user = await requirePermission("promotions.read");
  const { id } = await params;
  const api = await getServerApi();
  const detail = await api.promotion.get({ promotionId: id }).catch((error: unknown) => {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) notFound();
    throw error;
  });
  const { promotion, stats, codes } = detail;
  const view = parseView(promotionRedemptionsView, await searchParams, { promotion: promotion.id });
  const input = view.ok ? view.input : promotionRedemptionsView.parse({ promotion: promotion.id });
  const { page, error } = await loadView(input, (next) => api.promotion.redemptions({ ...next, limit: 50 }));
  const currency = stats.currency ?? "usd";
  const writable = can(user.role, "promotions.write");
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title={promotion.name}
        description={
          <span className="flex items-center gap-2">
            <Badge variant={statusVariant[promotion.status]} data-testid="promotion-status">
              {promotion.status}
            </Badge>
            <span>{describeEffect(promotion.effect)}</span>
          </span>
        }
        actions={writable ? <PromotionActions promotionId={promotion.id} status={promotion.status} /> : null}
      />
      <Card>
        <CardHeader>
          <CardTitle>So far</CardTitle>
        </CardHeader>
        <CardContent>
          <dl className="grid grid-cols-2 gap-x-8 gap-y-2 text-sm md:grid-cols-4">
            <dt className="text-muted-foreground">Redemptions</dt>
            <dd>
              {stats.redemptions}
              {promotion.maxRedemptions === null ? " (no limit)" : ` of ${promotion.maxRedemptions}`}, {promotion.maxRedemptionsPerCustomer} per customer
            </dd>
            <dt className="text-muted-foreground">Window</dt>
            <dd>
              {formatDate(promotion.startsAt)} → {promotion.endsAt ? formatDate(promotion.endsAt) : "open-ended"}
            </dd>
            <dt className="text-muted-foreground">Credits granted</dt>
            <dd>{formatMoney(stats.grantedMicros, currency)}</dd>
            <dt className="text-muted-foreground">Credits burned</dt>
            <dd>{formatMoney(stats.burnedMicros, currency)}</dd>
            <dt className="text-muted-foreground">Expired unused</dt>
            <dd>{formatMoney(stats.expiredMicros, currency)}</dd>
            <dt className="text-muted-foreground">Outstanding</dt>
            <dd>{formatMoney(stats.outstandingMicros, currency)}</dd>
            <dt className="text-muted-foreground" title="Promotional expense booked: granted minus expired">
              Cost so far
            </dt>
            <dd>{formatMoney(stats.costMicros, currency)}</dd>
          </dl>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Codes ({detail.codeCount})</CardTitle>
        </CardHeader>
        <CardContent>
          {codes.length === 0 ? (
            <p className="text-sm text-muted-foreground">No codes yet: generate some to activate the promotion.</p>
          ) : (
            <ul className="grid grid-cols-2 gap-1 font-mono text-sm md:grid-cols-4" data-testid="promotion-codes">
              {codes.map((code) => (
                <li key={code.id}>
                  {code.code}
                  <span className="ml-2 text-xs text-muted-foreground">
                    {code.kind === "shared" ? `shared, used ${code.redemptionCount}×` : code.redemptionCount > 0 ? "used" : "unused"}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Redemptions</CardTitle>
        </CardHeader>
        <CardContent>
          <RedemptionsTable
            promotionId={promotion.id}
            rows={page.items}
            nextCursor={page.nextCursor}
            error={view.ok ? error : `${view.message} (showing every redemption)`}
            emptyMessage={input.search || input.codeKind ? "No redemption matches this view." : "Nobody has redeemed this promotion yet."}
          />
        </CardContent>
      </Card>
      {writable && promotion.status !== "ended" ? (
        <Card>
          <CardHeader>
            <CardTitle>Edit</CardTitle>
          </CardHeader>
          <CardContent>
            <PromotionForm initial={valuesOf(promotion)} promotionId={promotion.id} effectLocked={promotion.status !== "draft"} />
          </CardContent>
        </Card>
      ) : null}
    </div>
  );
}
