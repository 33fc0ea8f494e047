import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatMoney } from "@/lib/format";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import { featureKinds, meterAggregations } from "@/db/schema";
import { NewFeatureForm, NewMeterForm, NewProductForm } from "./catalog-forms";
import { planVersionStatusVariant } from "./catalog-display";
import { CreatePlanForm } from "./create-plan-form";

const operatorWords = { equals: "equals", not_equals: "does not equal", in: "is one of", not_in: "is none of" } as const;

export default async function CatalogPage() {
  const user = await requirePermission("catalog.read");
  const api = await getServerApi();
  const [{ plans }, meters, features, products] = await Promise.all([
    api.catalog.plan.list({ limit: 100 }),
    api.catalog.meter.list(),
    api.catalog.feature.list(),
    api.catalog.product.list(),
  ]);
  const productKey = new Map(products.map((product) => [product.id, product.key]));
  const writes = can(user.role, "catalog.write");
  const productOptions = products.map(({ id, key, name }) => ({ id, key, name }));
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Plans & meters"
        description="What customers can buy and what usage counts. A published plan version never changes: customers stay on the version they subscribed to until moved, and a change is a new version."
      />
      <Card>
        <CardHeader>
          <CardTitle>Plans</CardTitle>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          <Table data-testid="plans-table">
            <TableHeader>
              <TableRow>
                <TableHead>Plan</TableHead>
                <TableHead>Current version</TableHead>
                <TableHead>Versions</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {plans.map((plan) => {
                const current = plan.versions.find((version) => version.id === plan.currentVersionId);
                return (
                  <TableRow key={plan.id} data-testid={`plan-${plan.key}`}>
                    <TableCell>
                      <div className="font-medium">{plan.name}</div>
                      <div className="font-mono text-xs text-muted-foreground">{plan.key}</div>
                    </TableCell>
                    <TableCell className="text-sm">
                      {current
                        ? `v${current.version}: ${formatMoney(current.baseFeePerSeatMicros, current.currency)} per seat a ${current.billingInterval}`
                        : "none published"}
                    </TableCell>
                    <TableCell>
                      <div className="flex flex-wrap gap-1.5">
                        {plan.versions.map((version) => (
                          <Link key={version.id} href={`/catalog/versions/${version.id}`}>
                            <Badge variant={planVersionStatusVariant[version.status]}>
                              <span className="sr-only">{plan.name} </span>v{version.version} {version.status}
                            </Badge>
                          </Link>
                        ))}
                        {plan.versions.length === 0 ? <span className="text-sm text-muted-foreground">no versions yet</span> : null}
                      </div>
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
          {writes ? <CreatePlanForm /> : null}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Meters</CardTitle>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          <Table data-testid="meters-table">
            <TableHeader>
              <TableRow>
                <TableHead>Meter</TableHead>
                <TableHead>Reads events of type</TableHead>
                <TableHead>Aggregation</TableHead>
                <TableHead>Filters</TableHead>
                <TableHead>Grouped by</TableHead>
                <TableHead>Product</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {meters.map((meter) => (
                <TableRow key={meter.id}>
                  <TableCell>
                    <div className="font-medium">{meter.name}</div>
                    <div className="font-mono text-xs text-muted-foreground">{meter.key}</div>
                  </TableCell>
                  <TableCell className="font-mono text-xs">{meter.eventType}</TableCell>
                  <TableCell className="text-sm">
                    {meter.aggregation}
                    {meter.valuePath ? <span className="font-mono text-xs"> of data.{meter.valuePath}</span> : null}
                  </TableCell>
                  <TableCell className="font-mono text-xs">
                    {meter.filters.length === 0
                      ? "—"
                      : meter.filters
                          .map((filter) => ("values" in filter ? `${filter.property} ${operatorWords[filter.operator]} ${filter.values.join(", ")}` : `${filter.property} ${operatorWords[filter.operator]} ${filter.value}`))
                          .join("; ")}
                  </TableCell>
                  <TableCell className="font-mono text-xs">{meter.groupBy.length === 0 ? "—" : meter.groupBy.join(", ")}</TableCell>
                  <TableCell className="font-mono text-xs">{meter.productId ? (productKey.get(meter.productId) ?? "?") : "—"}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {writes ? <NewMeterForm products={productOptions} aggregations={meterAggregations} /> : null}
        </CardContent>
      </Card>
      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Features</CardTitle>
          </CardHeader>
          <CardContent className="flex flex-col gap-4">
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Feature</TableHead>
                  <TableHead>Kind</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {features.map((feature) => (
                  <TableRow key={feature.id}>
                    <TableCell>
                      <div className="font-medium">{feature.name}</div>
                      <div className="font-mono text-xs text-muted-foreground">{feature.key}</div>
                    </TableCell>
                    <TableCell className="text-sm">{feature.kind}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            {writes ? <NewFeatureForm products={productOptions} kinds={featureKinds} /> : null}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Products</CardTitle>
          </CardHeader>
          <CardContent className="flex flex-col gap-4">
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Product</TableHead>
                  <TableHead>Key</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {products.map((product) => (
                  <TableRow key={product.id}>
                    <TableCell className="font-medium">{product.name}</TableCell>
                    <TableCell className="font-mono text-xs">{product.key}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            {writes ? <NewProductForm /> : null}
          </CardContent>
        </Card>
      </div>
    </div>
  );
}
