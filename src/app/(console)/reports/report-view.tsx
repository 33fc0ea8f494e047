import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatMoney } from "@/lib/format";
import type { Report, ReportCell, ReportColumn } from "@/server/reports/report-model";
import { drillHref } from "./drill-link";
import { ReportChart } from "./report-chart";

function show(column: ReportColumn, value: ReportCell | undefined, currency: string): string {
  if (value === null || value === undefined || value === "") return column.type === "money" ? "" : "—";
  if (column.type === "money") return formatMoney(typeof value === "bigint" ? value : BigInt(value), currency, { precise: true });
  if (column.type === "integer") return Number(value).toLocaleString("en-US");
  return String(value);
}

/** A report as the console shows it: its inputs, its reconciliation with the trial balance, a chart, the table (each number links to its postings). */
export function ReportView({ report, exportQuery, canExport }: { report: Report; exportQuery: string | null; canExport: boolean }) {
  const columnLabels = Object.fromEntries(report.columns.map((column) => [column.key, column.label]));
  const displayed = report.rows.slice(0, 2000);
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-2 text-sm text-muted-foreground">
        {report.parameters.map((parameter) => (
          <span key={parameter.label}>
            {parameter.label}: <span className="font-medium text-foreground">{parameter.value}</span>
          </span>
        ))}
        {canExport && exportQuery !== null ? (
          <span className="ml-auto flex gap-2">
            <a className="rounded-md border px-3 py-1.5 text-foreground hover:bg-muted" href={`/api/reports/${report.key}/export?format=csv&${exportQuery}`}>
              Export CSV
            </a>
            <a className="rounded-md border px-3 py-1.5 text-foreground hover:bg-muted" href={`/api/reports/${report.key}/export?format=xlsx&${exportQuery}`}>
              Export XLSX
            </a>
          </span>
        ) : null}
      </div>
      {report.reconciliation.length > 0 ? (
        <ul className="flex flex-col gap-1 text-sm" aria-label="Reconciliation with the trial balance" data-testid="reconciliation">
          {report.reconciliation.map((line) => (
            <li key={`${line.label}-${line.currency}`} className="flex flex-wrap items-center gap-2">
              <Badge variant={line.report === line.ledger ? "secondary" : "destructive"}>{line.report === line.ledger ? "Reconciles" : "Does not reconcile"}</Badge>
              <span>{line.label}</span>
              <span className="tabular-nums text-muted-foreground">
                {formatMoney(line.report, line.currency, { precise: true })}
                {line.report === line.ledger ? "" : ` vs ledger ${formatMoney(line.ledger, line.currency, { precise: true })}`}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {report.chart && report.chart.rows.length > 1 ? (
        <ReportChart x={report.chart.x} series={report.chart.series} labels={columnLabels} rows={report.chart.rows} currency={report.chart.currency} />
      ) : null}
      {report.rows.length === 0 ? (
        <div className="rounded-lg border border-dashed p-10 text-center text-sm text-muted-foreground">Nothing in the ledger for these dates.</div>
      ) : (
        <div className="overflow-x-auto rounded-lg border">
          <Table>
            <TableHeader>
              <TableRow>
                {report.columns.map((column) => (
                  <TableHead key={column.key} className={column.type === "money" || column.type === "integer" ? "text-right" : undefined}>
                    {column.label}
                  </TableHead>
                ))}
              </TableRow>
            </TableHeader>
            <TableBody data-testid="report-rows">
              {displayed.map((row, index) => {
                const currency = String(row.cells.currency ?? "usd");
                return (
                  <TableRow key={index} className={row.subtotal ? "bg-muted/50 font-semibold" : undefined}>
                    {report.columns.map((column, columnIndex) => {
                      const text = show(column, row.cells[column.key], currency);
                      const drill = row.drill?.[column.key];
                      const numeric = column.type === "money" || column.type === "integer";
                      return (
                        <TableCell key={column.key} className={numeric ? "text-right tabular-nums whitespace-nowrap" : undefined}>
                          {drill && text !== "" && row.cells[column.key] !== 0n ? (
                            <Link className="underline-offset-2 hover:underline" href={drillHref(drill)} title="Show the ledger postings behind this number">
                              {text}
                            </Link>
                          ) : columnIndex === 0 && row.href ? (
                            <Link className="hover:underline" href={row.href}>
                              {text}
                            </Link>
                          ) : (
                            text
                          )}
                        </TableCell>
                      );
                    })}
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      )}
      {report.rows.length > displayed.length ? (
        <p className="text-sm text-muted-foreground">Showing the first {displayed.length.toLocaleString("en-US")} of {report.rows.length.toLocaleString("en-US")} lines; export the report for all of them.</p>
      ) : null}
      {(report.notes ?? []).map((note) => (
        <p key={note} className="text-xs text-muted-foreground">
          {note}
        </p>
      ))}
    </div>
  );
}
