import { TRPCError } from "@trpc/server";
import Link from "next/link";
import { orNotFound } from "@/components/console/or-not-found";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime, formatMoney } from "@/lib/format";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import { describePriceModel, planVersionStatusVariant } from "../../catalog-display";
import { PlanVersionActions } from "./plan-version-actions";
import { SimulationPanel } from "./simulation-panel";
import { SimulationRuns } from "./simulation-runs";

export default async function PlanVersionPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ runs?: string | string[] }> }) {
  const user = await requirePermission("catalog.read");
  const { id } = await params;
  const api = await getServerApi();
  const version = await orNotFound(api.catalog.planVersion.get({ planVersionId: id }));
  const writes = can(user.role, "catalog.write");
  // Versions customers can be on (published or archived), other than this one: what a simulation compares with.
  const others = writes
    ? (await api.catalog.plan.versions({ planId: version.planId }))
        .filter((other) => other.id !== version.id && other.status !== "draft")
        .map(({ id: otherId, version: number, status }) => ({ id: otherId, version: number, status }))
    : [];
  const runsCursor = (await searchParams).runs;
  const cursor = typeof runsCursor === "string" && runsCursor.length <= 1000 ? runsCursor : undefined;
  const runs = writes
    ? await api.catalog.planVersion.simulation.list({ proposedVersionId: version.id, cursor, limit: 10 }).catch((error: unknown) => {
        // A stale or foreign cursor in the link: the newest runs instead of an error page.
        if (cursor && error instanceof TRPCError && error.code === "BAD_REQUEST") return api.catalog.planVersion.simulation.list({ proposedVersionId: version.id, limit: 10 });
        throw error;
      })
    : null;
  const [meters, features] = writes && version.status === "draft" ? await Promise.all([api.catalog.meter.list(), api.catalog.feature.list()]) : [[], []];
  const terms = {
    currency: version.currency,
    billingInterval: version.billingInterval,
    baseFeePerSeatMicros: version.baseFeePerSeatMicros.toString(),
    trialDays: version.trialDays,
    entitlements: version.entitlements,
    usagePrices: version.usagePrices,
  };
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title={`${version.plan.name} v${version.version}`}
        description={
          <>
            <Link href="/catalog" className="underline">
              Plans & meters
            </Link>{" "}
            · <span className="font-mono">{version.plan.key}</span> · <Badge variant={planVersionStatusVariant[version.status]} data-testid="plan-version-status">{version.status}</Badge>
            {version.publishedAt ? ` · published ${formatDateTime(version.publishedAt)}` : ""}
            {version.archivedAt ? ` · archived ${formatDateTime(version.archivedAt)}` : ""}
          </>
        }
      />
      <Card>
        <CardHeader>
          <CardTitle>Terms</CardTitle>
        </CardHeader>
        <CardContent>
          <dl className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-4">
            <dt className="text-muted-foreground">Base fee per seat</dt>
            <dd data-testid="plan-version-fee">
              {formatMoney(version.baseFeePerSeatMicros, version.currency)} a {version.billingInterval}
            </dd>
            <dt className="text-muted-foreground">Trial</dt>
            <dd>{version.trialDays === 0 ? "none" : `${version.trialDays} days`}</dd>
          </dl>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Entitlements</CardTitle>
        </CardHeader>
        <CardContent>
          <Table data-testid="plan-version-entitlements">
            <TableHeader>
              <TableRow>
                <TableHead>Feature</TableHead>
                <TableHead>Kind</TableHead>
                <TableHead>Grants</TableHead>
                <TableHead>Past the allowance</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {version.entitlements.map((entitlement) => (
                <TableRow key={entitlement.featureKey}>
                  <TableCell className="font-mono text-xs">{entitlement.featureKey}</TableCell>
                  <TableCell className="text-sm">{entitlement.kind}</TableCell>
                  <TableCell className="text-sm">
                    {entitlement.kind === "boolean"
                      ? entitlement.enabled
                        ? "enabled"
                        : "disabled"
                      : entitlement.kind === "config"
                        ? String(entitlement.value)
                        : `${entitlement.allowancePerPeriod ?? "unlimited"} of ${entitlement.meterKey} per period`}
                  </TableCell>
                  <TableCell className="text-sm">{entitlement.kind === "metered" ? (entitlement.overage === "bill" ? "billed as overage" : "blocked") : "—"}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Usage prices</CardTitle>
        </CardHeader>
        <CardContent className="flex flex-col gap-4" data-testid="plan-version-prices">
          {version.usagePrices.length === 0 ? <p className="text-sm text-muted-foreground">No usage is priced.</p> : null}
          {version.usagePrices.map(({ meterKey, price }) => (
            <div key={meterKey} className="flex flex-col gap-2">
              <p className="text-sm">
                <span className="font-mono">{meterKey}</span>: {describePriceModel(price)}
              </p>
              {"tiers" in price ? (
                <Table>
                  <TableHeader>
                    <TableRow>
                      <TableHead>Tier</TableHead>
                      <TableHead>Up to</TableHead>
                      <TableHead>Unit price</TableHead>
                      <TableHead>Flat amount</TableHead>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {price.tiers.map((tier, index) => (
                      <TableRow key={index}>
                        <TableCell>{index + 1}</TableCell>
                        <TableCell>{tier.upTo ?? "∞"}</TableCell>
                        <TableCell>${tier.unitPrice}</TableCell>
                        <TableCell>{tier.flatAmountMicros ? formatMoney(tier.flatAmountMicros, version.currency) : "—"}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              ) : null}
              {price.dimensionOverrides ? (
                <ul className="ml-4 list-disc text-sm">
                  {price.dimensionOverrides.prices.map((override) => (
                    <li key={override.value}>
                      {price.dimensionOverrides!.dimension} = <span className="font-mono">{override.value}</span>: {describePriceModel(override.price)}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          ))}
        </CardContent>
      </Card>
      {writes ? <SimulationPanel planVersionId={version.id} version={version.version} others={others} /> : null}
      {runs ? <SimulationRuns planVersionId={version.id} runs={runs.items} nextCursor={runs.nextCursor} paged={cursor !== undefined} /> : null}
      {writes ? (
        <PlanVersionActions
          planId={version.planId}
          planVersionId={version.id}
          label={`${version.plan.name} v${version.version}`}
          status={version.status}
          terms={terms}
          meters={meters.map(({ key, name, unit, groupBy }) => ({ key, name, unit, groupBy }))}
          features={features.map(({ key, name, kind }) => ({ key, name, kind }))}
        />
      ) : null}
    </div>
  );
}
