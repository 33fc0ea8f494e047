import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { cn } from "@/lib/utils";
import { can } from "@/server/api/permissions";
import { ingestionRanges } from "@/server/api/routers/metering/stats";
import { getServerApi } from "@/trpc/server";
import { IngestionRateChart } from "./ingestion-rate-chart";
import { UnknownSubjectsTable } from "./unknown-subjects-table";

type Range = (typeof ingestionRanges)[number];
const rangeLabel: Record<Range, string> = { hour: "Last hour", day: "Last day", week: "Last week" };
const countFormat = new Intl.NumberFormat("en-US");
/** The subjects with the most events; every one is on /metering/unknown-subjects. */
const unknownSubjectsShown = 10;

function formatLag(ms: number | null): string {
  if (ms === null) return "—";
  return ms < 1_000 ? `≤ ${ms} ms` : `≤ ${(ms / 1_000).toFixed(1)} s`;
}

export default async function MeteringPage({ searchParams }: { searchParams: Promise<{ range?: string }> }) {
  const user = await requirePermission("metering.read");
  const { range: requested } = await searchParams;
  const range: Range = ingestionRanges.find((each) => each === requested) ?? "hour";
  const api = await getServerApi();
  const [stats, unknown] = await Promise.all([api.metering.stats({ range }), api.metering.unknownSubjects({ limit: unknownSubjectsShown })]);
  const { totals } = stats;
  const rejects = Object.entries(totals.rejectedByCode).sort(([, a], [, b]) => b - a);
  const figures: { label: string; value: string; testId: string }[] = [
    { label: "Accepted", value: countFormat.format(totals.accepted), testId: "ingestion-accepted" },
    { label: "Duplicates", value: countFormat.format(totals.duplicates), testId: "ingestion-duplicates" },
    { label: "Rejected", value: countFormat.format(totals.rejected), testId: "ingestion-rejected" },
    { label: "Unknown customer", value: countFormat.format(totals.unknownCustomer), testId: "ingestion-unknown" },
    { label: "Late (invoiced time)", value: countFormat.format(totals.late), testId: "ingestion-late" },
    { label: "Metering lag p50", value: formatLag(totals.lag.p50Ms), testId: "ingestion-lag-p50" },
    { label: "Metering lag p99", value: formatLag(totals.lag.p99Ms), testId: "ingestion-lag-p99" },
  ];
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Ingestion"
        description="Usage events received on POST /api/v1/events, and how far the rollups (what billing and entitlements read) trail behind."
        actions={
          <nav aria-label="Range" className="flex gap-1">
            {ingestionRanges.map((each) => (
              <Link
                key={each}
                href={`/metering?range=${each}`}
                aria-current={each === range ? "page" : undefined}
                className={cn("rounded-md border px-3 py-1.5 text-sm", each === range ? "bg-primary text-primary-foreground" : "hover:bg-accent")}
              >
                {rangeLabel[each]}
              </Link>
            ))}
          </nav>
        }
      />
      <div className="grid grid-cols-2 gap-3 md:grid-cols-3 lg:grid-cols-6">
        {figures.map((figure) => (
          <Card key={figure.label}>
            <CardContent className="pt-5">
              <dl>
                <dt className="text-xs text-muted-foreground">{figure.label}</dt>
                <dd className="text-2xl font-semibold tabular-nums" data-testid={figure.testId}>
                  {figure.value}
                </dd>
              </dl>
            </CardContent>
          </Card>
        ))}
      </div>
      <Card>
        <CardHeader>
          <CardTitle>Accepted events per minute</CardTitle>
          <CardDescription>
            {rangeLabel[range]}, {stats.bucketMinutes === 1 ? "per minute" : `averaged over ${stats.bucketMinutes}-minute buckets`}; lag is from ingestion to the
            rollups ({countFormat.format(totals.lag.samples)} samples).
          </CardDescription>
        </CardHeader>
        <CardContent>
          <IngestionRateChart
            points={stats.rate.map((point) => ({ at: point.bucketStart.toISOString(), perMinute: point.acceptedPerMinute }))}
            range={range}
          />
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Rejected events by code</CardTitle>
          <CardDescription>Rejected events are not stored; the sender got the code and a message in the response.</CardDescription>
        </CardHeader>
        <CardContent>
          {rejects.length === 0 ? (
            <p className="text-sm text-muted-foreground">No event was rejected in this range.</p>
          ) : (
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Code</TableHead>
                  <TableHead className="text-right">Events</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody data-testid="rejects-table">
                {rejects.map(([code, count]) => (
                  <TableRow key={code}>
                    <TableCell className="font-mono text-xs">{code}</TableCell>
                    <TableCell className="text-right tabular-nums">{countFormat.format(count)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
      <Card id="unknown-subjects">
        <CardHeader>
          <CardTitle>Unknown subjects</CardTitle>
          <CardDescription>
            Events whose subject named no customer when they arrived (all time), the {unknownSubjectsShown} subjects with the most events. They are stored
            and rolled up under the subject; attach them once a customer with that external id exists.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <UnknownSubjectsTable
            subjects={unknown.map((each) => ({
              subject: each.subject,
              events: each.events,
              firstOccurredAt: each.firstOccurredAt.toISOString(),
              lastOccurredAt: each.lastOccurredAt.toISOString(),
              customer: each.customer,
            }))}
            canAttach={can(user.role, "customers.write")}
          />
          {unknown.length > 0 ? (
            <p className="mt-4 text-sm">
              <Link href="/metering/unknown-subjects" className="underline underline-offset-4" data-testid="unknown-subjects-link">
                Every unknown subject
              </Link>
              <span className="text-muted-foreground">: sorted, filtered, found by subject and exported as CSV.</span>
            </p>
          ) : null}
        </CardContent>
      </Card>
    </div>
  );
}
