import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDate, formatMoney } from "@/lib/format";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import type { CustomerSectionProps } from "./sections";
import { SpendLimitForm } from "./spend-limit-form";

const reasonText: Record<string, string> = {
  ok: "allowed",
  not_in_plan: "not in plan",
  allowance_exhausted: "allowance used up",
  spend_limit_reached: "spend limit reached",
  subscription_inactive: "subscription inactive or restricted",
  unknown_feature: "unknown feature",
  feature_disabled: "disabled in plan",
  unknown_customer: "unknown customer",
};

export async function EntitlementsSection({ customerId, role }: CustomerSectionProps) {
  const api = await getServerApi();
  const view = await api.entitlement.list({ customerId });
  const currency = view.subscription?.currency ?? "usd";
  return (
    <Card data-testid="entitlements-section">
      <CardHeader>
        <CardTitle>Entitlements</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {view.restriction ? (
          <p className="text-sm text-destructive">
            Restricted ({view.restriction.scope === "all" ? "every feature" : "usage-based features"}): {view.restriction.reason}
          </p>
        ) : null}
        {!view.subscription ? (
          <p className="text-sm text-muted-foreground">No live subscription: every feature answers “subscription inactive”.</p>
        ) : view.features.length === 0 ? (
          <p className="text-sm text-muted-foreground">The plan grants no features.</p>
        ) : (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Feature</TableHead>
                <TableHead>Limit</TableHead>
                <TableHead>Used</TableHead>
                <TableHead>Remaining</TableHead>
                <TableHead>Resets</TableHead>
                <TableHead>Past the allowance</TableHead>
                <TableHead>Now</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {view.features.map((feature) => (
                <TableRow key={feature.feature} data-testid={`entitlement-${feature.feature}`}>
                  <TableCell className="font-mono text-xs">{feature.feature}</TableCell>
                  <TableCell>{feature.kind === "metered" ? (feature.limit ?? "unlimited") : feature.kind === "config" ? String(feature.value) : "—"}</TableCell>
                  <TableCell>{feature.used ?? "—"}</TableCell>
                  <TableCell>{feature.kind === "metered" ? (feature.remaining ?? "unlimited") : "—"}</TableCell>
                  <TableCell>{formatDate(feature.resetsAt)}</TableCell>
                  <TableCell>{feature.overage === "bill" ? "billed" : feature.overage === "block" ? "blocked" : "—"}</TableCell>
                  <TableCell>
                    <Badge variant={feature.allowed ? "success" : "destructive"}>{reasonText[feature.reason] ?? feature.reason}</Badge>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        {view.subscription ? (
          <div className="flex flex-col gap-2 text-sm" data-testid="spend-limit">
            <p>
              <span className="text-muted-foreground">Spend limit on usage this period: </span>
              {view.spendLimit
                ? `${formatMoney(view.spendLimit.usedMicros, currency)} of ${formatMoney(view.spendLimit.limitMicros, currency)}`
                : "none"}
              {view.period ? <span className="text-muted-foreground"> (period {formatDate(view.period.start)} → {formatDate(view.period.end)})</span> : null}
            </p>
            <p data-testid="spend-warning-thresholds">
              <span className="text-muted-foreground">Warnings at: </span>
              {view.subscription.spendWarningThresholdsPercent.length > 0
                ? view.subscription.spendWarningThresholdsPercent.map((percent) => `${percent}%`).join(", ")
                : "none"}
              <span className="text-muted-foreground"> of the limit, once per period each</span>
            </p>
            {can(role, "customers.write") ? (
              <SpendLimitForm
                customerId={customerId}
                currentMicros={view.spendLimit?.limitMicros.toString() ?? null}
                currentThresholdsPercent={view.subscription.spendWarningThresholdsPercent}
              />
            ) : null}
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}
