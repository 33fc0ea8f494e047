import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime, formatMoney } from "@/lib/format";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import { CloseMonthForm } from "./close-month-form";
import { ReopenMonthDialog } from "./reopen-month-dialog";

export default async function PeriodsPage() {
  const user = await requirePermission("reports.read");
  const api = await getServerApi();
  const { periods, closedThrough } = await api.report.period.list({});
  const latestClosed = periods.find((period) => period.status === "closed");
  const now = new Date();
  const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
  const suggested = closedThrough ? closedThrough.toISOString().slice(0, 7) : lastMonth;
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Closed months"
        description={
          closedThrough
            ? `The books are closed through ${new Date(closedThrough.getTime() - 1).toISOString().slice(0, 10)}: nothing may be posted with an earlier date; corrections land from ${closedThrough.toISOString().slice(0, 10)} on.`
            : "No month is closed yet. Months close in order, oldest first."
        }
        actions={
          <Link className="text-sm text-muted-foreground hover:underline" href="/reports">
            All reports
          </Link>
        }
      />
      {can(user.role, "periods.close") ? <CloseMonthForm suggested={suggested < lastMonth ? suggested : lastMonth} /> : null}
      {periods.length === 0 ? (
        <div className="rounded-lg border border-dashed p-10 text-center text-sm text-muted-foreground">No month has been closed.</div>
      ) : (
        <div className="overflow-x-auto rounded-lg border">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Month</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>Closed by</TableHead>
                <TableHead className="text-right">Trial balance</TableHead>
                <TableHead>Checks</TableHead>
                <TableHead>Package</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody data-testid="periods">
              {periods.map((period) => {
                const month = period.periodStart.toISOString().slice(0, 7);
                return (
                  <TableRow key={month}>
                    <TableCell className="whitespace-nowrap font-medium">{month}</TableCell>
                    <TableCell>
                      {period.status === "closed" ? <Badge>closed</Badge> : <Badge variant="outline">reopened</Badge>}
                      {period.status === "reopened" ? (
                        <p className="mt-1 max-w-64 text-xs text-muted-foreground">
                          by {period.reopenedByLabel} {formatDateTime(period.reopenedAt)}: {period.reopenReason}
                        </p>
                      ) : null}
                    </TableCell>
                    <TableCell className="min-w-40">
                      {period.closedByLabel}
                      <p className="text-xs text-muted-foreground">
                        {formatDateTime(period.closedAt)}
                        {period.closeCount > 1 ? `, closed ${period.closeCount} times` : ""}
                      </p>
                    </TableCell>
                    <TableCell className="whitespace-nowrap text-right tabular-nums">
                      {period.summary.trialBalance.map((row) => (
                        <div key={row.currency}>{formatMoney(row.debits, row.currency, { precise: true })} each side</div>
                      ))}
                    </TableCell>
                    <TableCell className="min-w-72 text-xs">
                      {period.summary.checks.map((check) => (
                        <div key={check.code} className={check.ok ? "text-muted-foreground" : "text-amber-700"}>
                          {check.ok ? "✓" : "!"} {check.message}
                        </div>
                      ))}
                    </TableCell>
                    <TableCell>
                      <div className="flex flex-wrap gap-2">
                        {period.status === "closed" && can(user.role, "reports.export") ? (
                          <a className="rounded-md border px-2 py-1 text-sm hover:bg-muted" href={`/api/reports/close-package?month=${month}`}>
                            Download close package
                          </a>
                        ) : null}
                        {period === latestClosed && can(user.role, "periods.reopen") ? <ReopenMonthDialog month={month} /> : null}
                      </div>
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      )}
    </div>
  );
}
