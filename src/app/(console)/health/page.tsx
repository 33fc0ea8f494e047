import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime, formatMoney } from "@/lib/format";
import { cn } from "@/lib/utils";
import { healthRanges, type HealthRange } from "@/server/observability/get-billing-health";
import type { HealthLevel } from "@/server/observability/health-thresholds";
import { discrepancyKindLabels, type DiscrepancyKind } from "@/server/reconciliation/discrepancy";
import { getServerApi } from "@/trpc/server";
import { HealthChart } from "./health-chart";

const rangeLabel: Record<HealthRange, string> = { hour: "Last hour", day: "Last day" };
const levelStyle: Record<HealthLevel, string> = {
  ok: "border-emerald-600/40",
  amber: "border-amber-500 bg-amber-50 dark:bg-amber-950/30",
  red: "border-red-600 bg-red-50 dark:bg-red-950/30",
};
const levelText: Record<HealthLevel, string> = { ok: "OK", amber: "Warning", red: "Alert" };
const levelBadge: Record<HealthLevel, string> = { ok: "bg-emerald-100 text-emerald-900", amber: "bg-amber-200 text-amber-950", red: "bg-red-600 text-white" };

function LevelBadge({ level }: { level: HealthLevel }) {
  return <span className={cn("rounded px-2 py-0.5 text-xs font-semibold", levelBadge[level])} data-level={level}>{levelText[level]}</span>;
}

function differenceText(item: { unit: string; difference: string; currency: string | null }): string {
  if (item.unit === "micros") return formatMoney(item.difference, item.currency ?? "usd", { signed: true, precise: true });
  if (item.unit === "count") return "mismatch";
  return `${item.difference.startsWith("-") ? "" : "+"}${Number(item.difference).toLocaleString("en-US")} ${item.unit === "events" ? "events" : ""}`.trim();
}

export default async function BillingHealthPage({ searchParams }: { searchParams: Promise<{ range?: string }> }) {
  await requirePermission("insights.read");
  const { range: requested } = await searchParams;
  const range: HealthRange = healthRanges.find((each) => each === requested) ?? "hour";
  const api = await getServerApi();
  const health = await api.health.overview({ range });
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Billing health"
        description="Is billing healthy right now? Each chart states its current value and turns amber or red past its threshold (src/server/observability/health-thresholds.ts). Times in UTC."
        actions={
          <nav aria-label="Range" className="flex gap-1">
            {healthRanges.map((each) => (
              <Link key={each} href={`/health?range=${each}`} aria-current={each === range ? "page" : undefined} className={cn("rounded-md border px-3 py-1.5 text-sm", each === range ? "bg-primary text-primary-foreground" : "hover:bg-accent")}>
                {rangeLabel[each]}
              </Link>
            ))}
          </nav>
        }
      />
      <section aria-label="Verdict" data-testid="health-verdict" data-level={health.level} className={cn("rounded-lg border-2 p-4", levelStyle[health.level])}>
        <div className="flex items-center gap-3">
          <LevelBadge level={health.level} />
          <h2 className="text-lg font-semibold">{health.level === "ok" ? "Billing is healthy." : health.level === "amber" ? "Billing needs a look." : "Billing is not healthy."}</h2>
        </div>
        {health.problems.length > 0 ? (
          <ul className="mt-2 list-disc pl-6 text-sm">
            {health.problems.map((problem, index) => (
              <li key={index}>
                <span className="font-medium">{problem.chart}:</span> {problem.reason}.
              </li>
            ))}
          </ul>
        ) : (
          <p className="mt-1 text-sm text-muted-foreground">Every figure is within its threshold.</p>
        )}
      </section>

      <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
        {health.charts.map((chart) => (
          <Card key={chart.id} className={cn("border-2", levelStyle[chart.level])} data-testid={`health-chart-${chart.id}`} data-level={chart.level}>
            <CardHeader className="pb-2">
              <div className="flex items-start justify-between gap-2">
                <CardTitle className="text-sm">{chart.title}</CardTitle>
                <LevelBadge level={chart.level} />
              </div>
              <CardDescription className="text-base font-semibold text-foreground tabular-nums">{chart.current}</CardDescription>
              {chart.reason ? <p className="text-xs">{chart.reason}.</p> : null}
            </CardHeader>
            <CardContent>
              <HealthChart points={chart.points} series={chart.series} monthly={chart.id === "accuracy"} testId={`health-plot-${chart.id}`} />
            </CardContent>
          </Card>
        ))}
      </div>

      <Card className={cn("border-2", levelStyle[health.openDiscrepancyCount > 0 ? "red" : "ok"])}>
        <CardHeader>
          <CardTitle>Open discrepancies ({health.openDiscrepancyCount})</CardTitle>
          <CardDescription>Differences between books that must agree, from the daily reconciliation (`npm run job -- reconcile`). Largest first; each links to what it is about.</CardDescription>
        </CardHeader>
        <CardContent>
          {health.openDiscrepancies.length === 0 ? (
            <p className="text-sm text-muted-foreground">None: every pair of books agrees.</p>
          ) : (
            <div className="overflow-x-auto">
              <Table data-testid="open-discrepancies">
                <TableHeader>
                  <TableRow>
                    <TableHead>Books</TableHead>
                    <TableHead>What differs</TableHead>
                    <TableHead className="text-right">Difference</TableHead>
                    <TableHead>First seen</TableHead>
                    <TableHead>Go to</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {health.openDiscrepancies.map((item) => (
                    <TableRow key={item.id} className="bg-red-50/60 dark:bg-red-950/20" data-level="red">
                      <TableCell className="font-medium">{discrepancyKindLabels[item.kind as DiscrepancyKind] ?? item.kind}</TableCell>
                      <TableCell>{item.description}</TableCell>
                      <TableCell className="text-right tabular-nums text-red-700 dark:text-red-400">{differenceText(item)}</TableCell>
                      <TableCell className="whitespace-nowrap">{formatDateTime(item.firstSeenAt)}</TableCell>
                      <TableCell className="whitespace-nowrap">
                        {item.invoiceId ? (
                          <Link className="underline" href={`/invoices/${item.invoiceId}`}>
                            Invoice {item.objects.invoiceNumber ?? ""}
                          </Link>
                        ) : item.customerId ? (
                          <Link className="underline" href={`/customers/${item.customerId}`}>
                            Customer
                          </Link>
                        ) : (
                          "—"
                        )}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </div>
          )}
        </CardContent>
      </Card>

      <Card className={cn("border-2", levelStyle[health.itemFailureCount > 0 ? "amber" : "ok"])}>
        <CardHeader>
          <CardTitle>Billing job failures ({health.itemFailureCount})</CardTitle>
          <CardDescription>Items a billing job could not process while it finished the rest (a period close, threshold invoicing, credit expiry, dunning). Each is an anomaly until a later run processes it.</CardDescription>
        </CardHeader>
        <CardContent>
          {health.itemFailures.length === 0 ? (
            <p className="text-sm text-muted-foreground">None: every job processed every item.</p>
          ) : (
            <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Billing job failures">
              <Table data-testid="job-item-failures">
                <TableHeader>
                  <TableRow>
                    <TableHead>Job</TableHead>
                    <TableHead>Item</TableHead>
                    <TableHead>Error</TableHead>
                    <TableHead className="text-right">Runs</TableHead>
                    <TableHead>Last failed</TableHead>
                    <TableHead>Go to</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {health.itemFailures.map((item) => (
                    <TableRow key={`${item.job}:${item.itemKey}`}>
                      <TableCell className="whitespace-nowrap font-mono text-xs">{item.job}</TableCell>
                      <TableCell className="font-mono text-xs break-all">{item.itemKey}</TableCell>
                      <TableCell>
                        <span className="font-mono text-xs">{item.code}</span> {item.message}
                      </TableCell>
                      <TableCell className="text-right tabular-nums">{item.attempts}</TableCell>
                      <TableCell className="whitespace-nowrap">{formatDateTime(item.lastFailedAt)}</TableCell>
                      <TableCell className="whitespace-nowrap">
                        {item.anomalyId ? (
                          <Link className="underline" href={`/anomalies/${item.anomalyId}`}>
                            Anomaly
                          </Link>
                        ) : item.customerId ? (
                          <Link className="underline" href={`/customers/${item.customerId}`}>
                            Customer
                          </Link>
                        ) : (
                          "next detection run"
                        )}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </div>
          )}
        </CardContent>
      </Card>

      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Jobs</CardTitle>
            <CardDescription>Last success and failure of each job (any process); a failed daily job is red.</CardDescription>
          </CardHeader>
          <CardContent className="overflow-x-auto">
            <Table data-testid="health-jobs">
              <TableHeader>
                <TableRow>
                  <TableHead>Job</TableHead>
                  <TableHead>Last success</TableHead>
                  <TableHead>Last failure</TableHead>
                  <TableHead className="text-right">Runs / failures (24 h)</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {health.jobs.filter((job) => job.runs > 0 || job.lastSuccessAt || job.lastFailureAt).map((job) => (
                  <TableRow key={job.job} className={cn(job.level === "red" && "bg-red-50 dark:bg-red-950/30", job.level === "amber" && "bg-amber-50 dark:bg-amber-950/30")} data-level={job.level}>
                    <TableCell className="font-mono text-xs">{job.job}</TableCell>
                    <TableCell className="whitespace-nowrap">{job.lastSuccessAt ? formatDateTime(job.lastSuccessAt) : "never"}</TableCell>
                    <TableCell className="whitespace-nowrap">{job.lastFailureAt ? formatDateTime(job.lastFailureAt) : "—"}</TableCell>
                    <TableCell className="text-right tabular-nums">
                      {job.runs} / {job.failures}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Invoice accuracy by period</CardTitle>
            <CardDescription>Period invoices whose Stripe invoice equalled Tally&apos;s to the cent on the first attempt, after a correction, or never; amount corrected.</CardDescription>
          </CardHeader>
          <CardContent className="overflow-x-auto">
            <Table data-testid="health-accuracy">
              <TableHeader>
                <TableRow>
                  <TableHead>Period</TableHead>
                  <TableHead className="text-right">Invoices</TableHead>
                  <TableHead className="text-right">First attempt</TableHead>
                  <TableHead className="text-right">After correction</TableHead>
                  <TableHead className="text-right">Never</TableHead>
                  <TableHead className="text-right">Not compared</TableHead>
                  <TableHead className="text-right">Corrected</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {health.invoiceAccuracy.map((row) => (
                  <TableRow key={row.month}>
                    <TableCell>{row.month}</TableCell>
                    <TableCell className="text-right tabular-nums">{row.invoices.toLocaleString("en-US")}</TableCell>
                    <TableCell className="text-right tabular-nums">{row.exactFirstAttempt.toLocaleString("en-US")}</TableCell>
                    <TableCell className="text-right tabular-nums">{row.exactAfterCorrection.toLocaleString("en-US")}</TableCell>
                    <TableCell className="text-right tabular-nums">{row.never.toLocaleString("en-US")}</TableCell>
                    <TableCell className="text-right tabular-nums">{row.notCompared.toLocaleString("en-US")}</TableCell>
                    <TableCell className="text-right tabular-nums">{formatMoney(row.correctedMicros)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
      </div>
    </div>
  );
}
