import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { can } from "@/server/api/permissions";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { plansView } from "@/server/api/lists/plan-lists";
import { planStates } from "@/server/catalog/list-plans-view";
import { getServerApi } from "@/trpc/server";
import { featureKinds, meterAggregations } from "@/db/schema";
import { NewFeatureForm, NewMeterForm, NewProductForm } from "./catalog-forms";
import { CreatePlanForm } from "./create-plan-form";
import { PlansTable } from "./plans-table";

const operatorWords = { equals: "equals", not_equals: "does not equal", in: "is one of", not_in: "is none of" } as const;

export default async function CatalogPage({ searchParams }: { searchParams: Promise<UrlParams> }) {
  const user = await requirePermission("catalog.read");
  const view = parseView(plansView, await searchParams);
  const input = view.ok ? view.input : plansView.parse({});
  const api = await getServerApi();
  const [{ page, error }, meters, features, products] = await Promise.all([
    loadView(input, (next) => api.catalog.plan.listView({ ...next, limit: 25 })),
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
          <PlansTable
            rows={page.items}
            nextCursor={page.nextCursor}
            states={planStates}
            error={view.ok ? error : `${view.message} (showing every plan)`}
            emptyMessage={input.search || input.state ? "No plan matches this view." : "No plan yet."}
          />
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
