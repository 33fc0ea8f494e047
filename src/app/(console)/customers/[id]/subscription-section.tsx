import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDate, formatMoney } from "@/lib/format";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import { ChangePlanDialog, type PlanChoice } from "./change-plan-dialog";
import { StartSubscriptionDialog, type StartPlanChoice } from "./start-subscription-dialog";
import type { CustomerSectionProps } from "./sections";

const statusVariant = {
  trialing: "secondary",
  active: "success",
  past_due: "warning",
  unpaid: "destructive",
  canceled: "outline",
  incomplete: "warning",
} as const;

export async function SubscriptionSection({ customerId, role }: CustomerSectionProps) {
  const api = await getServerApi();
  const view = await api.subscription.get({ customerId });
  const canChange = view !== null && can(role, "billing.change");
  const choices: PlanChoice[] = [];
  if (view && canChange) {
    choices.push({ planVersionId: view.planVersion.id, label: `${view.plan.name} v${view.planVersion.version} (current)` });
    const { plans } = await api.catalog.plan.list({ limit: 100 });
    for (const plan of plans)
      for (const version of plan.versions)
        if (version.status === "published" && version.id !== view.planVersion.id && version.currency === view.planVersion.currency && version.billingInterval === view.planVersion.billingInterval)
          choices.push({ planVersionId: version.id, label: `${plan.name} v${version.version}` });
  }
  const startChoices: StartPlanChoice[] = [];
  if (!view && can(role, "billing.change")) {
    const { plans } = await api.catalog.plan.list({ limit: 100 });
    for (const plan of plans) {
      const current = plan.versions.find((version) => version.id === plan.currentVersionId);
      if (current) startChoices.push({ planVersionId: current.id, label: `${plan.name} v${current.version} — ${formatMoney(current.baseFeePerSeatMicros, current.currency)} per seat / ${current.billingInterval}`, trialDays: 0 });
    }
  }
  return (
    <Card data-testid="subscription-section">
      <CardHeader className="flex flex-row items-center justify-between gap-2">
        <CardTitle>Subscription</CardTitle>
        {!view && startChoices.length > 0 ? <StartSubscriptionDialog customerId={customerId} choices={startChoices} /> : null}
        {view && canChange ? (
          <ChangePlanDialog customerId={customerId} currentPlanVersionId={view.planVersion.id} currentSeats={view.subscription.seats} cancelAtPeriodEnd={view.subscription.cancelAtPeriodEnd} choices={choices} />
        ) : null}
      </CardHeader>
      <CardContent>
        {!view ? (
          <p className="text-sm text-muted-foreground">No live subscription.</p>
        ) : (
          <dl className="grid grid-cols-2 gap-x-8 gap-y-2 text-sm md:grid-cols-4">
            <dt className="text-muted-foreground">Plan</dt>
            <dd className="font-medium">
              {view.plan.name} <span className="text-muted-foreground">v{view.planVersion.version}</span>
            </dd>
            <dt className="text-muted-foreground">Status</dt>
            <dd>
              <Badge variant={statusVariant[view.subscription.status]}>{view.subscription.status.replace("_", " ")}</Badge>
              {view.subscription.cancelAtPeriodEnd ? <span className="ml-2 text-xs text-muted-foreground">cancels at period end</span> : null}
            </dd>
            <dt className="text-muted-foreground">Seats</dt>
            <dd>{view.subscription.seats}</dd>
            <dt className="text-muted-foreground">Base fee</dt>
            <dd>
              {formatMoney(view.planVersion.baseFeePerSeatMicros * BigInt(view.subscription.seats), view.planVersion.currency)} /{" "}
              {view.planVersion.billingInterval}
            </dd>
            <dt className="text-muted-foreground">Current period</dt>
            <dd>
              {formatDate(view.currentPeriod.start)} → {formatDate(view.currentPeriod.end)}
            </dd>
            <dt className="text-muted-foreground">Trial ends</dt>
            <dd>{formatDate(view.subscription.trialEnd)}</dd>
            <dt className="text-muted-foreground">Spend limit</dt>
            <dd>{view.subscription.spendLimitMicros === null ? "none" : formatMoney(view.subscription.spendLimitMicros, view.planVersion.currency)}</dd>
          </dl>
        )}
      </CardContent>
    </Card>
  );
}
