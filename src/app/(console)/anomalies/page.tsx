import { TRPCError } from "@trpc/server";
import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Input } from "@/components/ui/input";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { anomalyKinds, anomalySeverities, anomalyStatuses, type AnomalyKind, type AnomalySeverity, type AnomalyStatus } from "@/db/schema";
import { formatDateTime, formatMoney } from "@/lib/format";
import { getServerApi } from "@/trpc/server";
import { AnomalySeverityStatus, kindLabels, statusLabels } from "./anomaly-list-parts";

type Search = { status?: string; kind?: string; severity?: string; customer?: string; assignee?: string; sort?: string; after?: string };

const pageSize = 25;

function pick<T extends string>(value: string | undefined, allowed: readonly T[]): T | undefined {
  return allowed.find((each) => each === value);
}

/** The queue: what needs a person, most money first; filters live in the URL so a view can be shared. */
export default async function AnomaliesPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requirePermission("anomalies.read");
  const search = await searchParams;
  // "active" (the default view) = open + acknowledged; "all" = every status.
  const statusParam = search.status ?? "active";
  const status: AnomalyStatus[] | undefined = statusParam === "all" ? undefined : statusParam === "active" ? ["open", "acknowledged"] : pick(statusParam, anomalyStatuses) ? [statusParam as AnomalyStatus] : ["open", "acknowledged"];
  const kind = pick(search.kind, anomalyKinds) as AnomalyKind | undefined;
  const severity = pick(search.severity, anomalySeverities) as AnomalySeverity | undefined;
  const sort = search.sort === "detected" ? "detected" : "impact";
  const assignee = search.assignee === "me" || search.assignee === "none" ? search.assignee : /^[0-9a-f-]{36}$/i.test(search.assignee ?? "") ? search.assignee : undefined;
  // No external id is longer than 256 characters: a longer one names no customer (and is not sent on).
  const customerText = search.customer?.trim() || undefined;
  const customer = customerText && customerText.length <= 256 ? customerText : undefined;
  const api = await getServerApi();
  const [page, assignees] = await Promise.all([
    (customerText && !customer
      ? Promise.resolve({ items: [], nextAfter: null, unknownCustomer: true } as const)
      : api.anomaly.list({ status, kind: kind ? [kind] : undefined, severity: severity ? [severity] : undefined, customer, assignee, sort, limit: pageSize, after: /^[0-9a-f-]{36}$/i.test(search.after ?? "") ? search.after : undefined })
      .catch((error: unknown) => {
        if (error instanceof TRPCError && error.code === "NOT_FOUND") return { items: [], nextAfter: null, unknownCustomer: true } as const;
        throw error;
      })),
    api.anomaly.assignees(),
  ]);
  const query = (extra: Record<string, string | undefined>) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries({ status: statusParam === "active" ? undefined : statusParam, kind, severity, customer, assignee, sort: sort === "impact" ? undefined : sort, ...extra })) {
      if (value) params.set(key, value);
    }
    const text = params.toString();
    return text ? `/anomalies?${text}` : "/anomalies";
  };
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Anomalies"
        description="Billing anomalies found by detection, with the cause named. Most money at stake first; open one to investigate and act."
        actions={
          <Link href="/anomalies/settings" className="text-sm underline-offset-4 hover:underline">
            Detection thresholds
          </Link>
        }
      />
      <Card>
        <CardContent className="pt-6">
          <form method="get" action="/anomalies" className="flex flex-wrap items-end gap-3" aria-label="Filter anomalies">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="filter-status">Status</Label>
              <NativeSelect id="filter-status" name="status" defaultValue={statusParam} className="w-40">
                <option value="active">Open or acknowledged</option>
                <option value="all">Any status</option>
                {anomalyStatuses.map((each) => (
                  <option key={each} value={each}>
                    {statusLabels[each]}
                  </option>
                ))}
              </NativeSelect>
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="filter-kind">Kind</Label>
              <NativeSelect id="filter-kind" name="kind" defaultValue={kind ?? ""} className="w-44">
                <option value="">Any kind</option>
                {anomalyKinds.map((each) => (
                  <option key={each} value={each}>
                    {kindLabels[each]}
                  </option>
                ))}
              </NativeSelect>
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="filter-severity">Severity</Label>
              <NativeSelect id="filter-severity" name="severity" defaultValue={severity ?? ""} className="w-32">
                <option value="">Any</option>
                {anomalySeverities.map((each) => (
                  <option key={each} value={each}>
                    {each}
                  </option>
                ))}
              </NativeSelect>
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="filter-customer">Customer (external id)</Label>
              <Input id="filter-customer" name="customer" defaultValue={customer ?? ""} placeholder="usr_0001_…" className="w-56" />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="filter-assignee">Assignee</Label>
              <NativeSelect id="filter-assignee" name="assignee" defaultValue={assignee ?? ""} className="w-44">
                <option value="">Anyone</option>
                <option value="me">Me</option>
                <option value="none">Nobody</option>
                {assignees.map((each) => (
                  <option key={each.id} value={each.id}>
                    {each.name}
                  </option>
                ))}
              </NativeSelect>
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="filter-sort">Order</Label>
              <NativeSelect id="filter-sort" name="sort" defaultValue={sort} className="w-40">
                <option value="impact">Most money first</option>
                <option value="detected">Newest first</option>
              </NativeSelect>
            </div>
            <Button type="submit">Apply</Button>
            <Link href="/anomalies" className="text-sm underline-offset-4 hover:underline">
              Reset
            </Link>
          </form>
        </CardContent>
      </Card>
      <Card>
        <CardContent className="pt-6">
          {"unknownCustomer" in page ? (
            <p className="text-sm text-muted-foreground" role="status">
              No customer has the external id “{customerText && customerText.length > 80 ? `${customerText.slice(0, 80)}…` : customerText}”.
            </p>
          ) : page.items.length === 0 ? (
            <p className="text-sm text-muted-foreground">No anomalies match these filters.</p>
          ) : (
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Severity · status</TableHead>
                  <TableHead>Kind</TableHead>
                  <TableHead>What was found</TableHead>
                  <TableHead>Customer</TableHead>
                  <TableHead className="text-right">At stake</TableHead>
                  <TableHead>Assignee</TableHead>
                  <TableHead>Detected</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody data-testid="anomalies-table">
                {page.items.map((item) => (
                  <TableRow key={item.id}>
                    <TableCell>
                      <AnomalySeverityStatus severity={item.severity} status={item.status} />
                    </TableCell>
                    <TableCell className="whitespace-nowrap text-sm">{kindLabels[item.kind]}</TableCell>
                    <TableCell className="max-w-xl whitespace-normal">
                      <Link href={`/anomalies/${item.id}`} className="font-medium underline-offset-4 hover:underline">
                        {item.title}
                      </Link>
                    </TableCell>
                    <TableCell className="whitespace-nowrap text-sm">
                      {item.customer ? (
                        <Link href={`/customers/${item.customer.id}`} className="underline-offset-4 hover:underline">
                          {item.customer.name}
                        </Link>
                      ) : (
                        "—"
                      )}
                    </TableCell>
                    <TableCell className="text-right tabular-nums">{item.impactMicros === null ? "—" : formatMoney(item.impactMicros, item.currency)}</TableCell>
                    <TableCell className="text-sm">{item.assignee?.name ?? "—"}</TableCell>
                    <TableCell className="whitespace-nowrap text-xs">{formatDateTime(item.firstDetectedAt)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          <div className="mt-4 flex gap-4 text-sm">
            {search.after ? (
              <Link href={query({})} className="underline-offset-4 hover:underline">
                ← First page
              </Link>
            ) : null}
            {page.nextAfter ? (
              <Link href={query({ after: page.nextAfter })} className="underline-offset-4 hover:underline" data-testid="anomalies-next-page">
                Next {pageSize} →
              </Link>
            ) : null}
          </div>
        </CardContent>
      </Card>
    </div>
  );
}
