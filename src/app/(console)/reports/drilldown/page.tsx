import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatMoney } from "@/lib/format";
import { drillSpecSchema } from "@/server/api/routers/reports/reports";
import { getServerApi } from "@/trpc/server";

function decode(spec: string | undefined) {
  if (!spec) return null;
  try {
    const parsed = drillSpecSchema.safeParse(JSON.parse(Buffer.from(spec, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export default async function DrilldownPage({ searchParams }: { searchParams: Promise<{ spec?: string; cursor?: string }> }) {
  await requirePermission("reports.read");
  const params = await searchParams;
  const spec = decode(params.spec);
  if (!spec) {
    return (
      <div>
        <PageHeader title="Ledger postings" />
        <Alert variant="destructive">This link does not name a number of a report. Open a report and click the number you want to see.</Alert>
      </div>
    );
  }
  const api = await getServerApi();
  const result = await api.report.drilldown({ spec, cursor: params.cursor, limit: 100 });
  const period = `${spec.from.slice(0, 16).replace("T", " ")} to ${spec.to.slice(0, 16).replace("T", " ")} UTC`;
  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title="Ledger postings behind a number"
        description={`${spec.label ? `${spec.label}: ` : ""}posted entries effective from ${period}${spec.kinds ? `, kinds ${spec.kinds.join(", ")}` : ""}${spec.codeLike ? `, accounts ${spec.codeLike.replace(/%/g, "…")}` : ""}${spec.planKey ? `, plan ${spec.planKey}` : ""}.`}
      />
      <div className="flex flex-wrap gap-4 text-sm" data-testid="drill-totals">
        {result.totals.map((total) => (
          <span key={total.currency}>
            {total.entries.toLocaleString("en-US")} entries in {total.currency.toUpperCase()}: debits{" "}
            <span className="font-medium tabular-nums">{formatMoney(total.debits, total.currency, { precise: true })}</span>, credits{" "}
            <span className="font-medium tabular-nums">{formatMoney(total.credits, total.currency, { precise: true })}</span>, net{" "}
            <span className="font-medium tabular-nums">{formatMoney(total.credits - total.debits, total.currency, { precise: true })}</span> credit
          </span>
        ))}
      </div>
      {result.entries.length === 0 ? (
        <div className="rounded-lg border border-dashed p-10 text-center text-sm text-muted-foreground">No postings.</div>
      ) : (
        <div className="overflow-x-auto rounded-lg border">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Effective</TableHead>
                <TableHead>Transaction</TableHead>
                <TableHead>Kind</TableHead>
                <TableHead>Account</TableHead>
                <TableHead className="text-right">Debit</TableHead>
                <TableHead className="text-right">Credit</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody data-testid="drill-entries">
              {result.entries.map((entry) => (
                <TableRow key={entry.entryId}>
                  <TableCell className="whitespace-nowrap">{entry.effectiveAt}</TableCell>
                  <TableCell>
                    <Link className="hover:underline" href={`/ledger/transactions/${entry.transactionId}`}>
                      {entry.description || entry.transactionId.slice(0, 8)}
                    </Link>
                    {entry.corrects ? <span className="ml-2 text-xs text-muted-foreground">corrects {entry.corrects.length > 8 ? entry.corrects.slice(0, 8) : entry.corrects}</span> : null}
                  </TableCell>
                  <TableCell>{entry.kind.replace(/_/g, " ")}</TableCell>
                  <TableCell className="font-mono text-xs">
                    <Link className="hover:underline" href={`/ledger/accounts/${entry.accountId}`}>
                      {entry.accountCode}
                    </Link>
                  </TableCell>
                  <TableCell className="text-right tabular-nums">{entry.debit > 0n ? formatMoney(entry.debit, entry.currency, { precise: true }) : ""}</TableCell>
                  <TableCell className="text-right tabular-nums">{entry.credit > 0n ? formatMoney(entry.credit, entry.currency, { precise: true }) : ""}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      {result.nextCursor ? (
        <Button asChild variant="outline" size="sm" className="self-start">
          <Link href={`/reports/drilldown?${new URLSearchParams({ spec: params.spec!, cursor: result.nextCursor })}`}>Next page</Link>
        </Button>
      ) : null}
    </div>
  );
}
