import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatMoney } from "@/lib/format";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";

export default async function TrialBalancePage({ searchParams }: { searchParams: Promise<{ asOf?: string }> }) {
  const user = await requirePermission("ledger.read");
  const params = await searchParams;
  const parsed = params.asOf ? new Date(params.asOf) : new Date();
  const asOf = Number.isNaN(parsed.getTime()) ? new Date() : parsed;
  const api = await getServerApi();
  const trial = await api.ledger.trialBalance.get({ asOf });
  const exportAllowed = can(user.role, "ledger.export");
  const monthStart = new Date(Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), 1)).toISOString().slice(0, 10);
  const nextMonth = new Date(Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Trial balance" description={`Every account's posted balance as of ${asOf.toISOString()}. Debits equal credits in each currency.`} />
      <form className="flex max-w-xl items-end gap-2" action="/ledger/trial-balance">
        <div className="flex flex-1 flex-col gap-1.5">
          <Label htmlFor="as-of">As of</Label>
          <Input id="as-of" name="asOf" defaultValue={asOf.toISOString()} />
        </div>
        <Button type="submit">Show</Button>
        {exportAllowed ? (
          <Button asChild variant="outline">
            <a href={`/api/ledger/trial-balance.csv?asOf=${encodeURIComponent(asOf.toISOString())}`}>Download CSV</a>
          </Button>
        ) : null}
      </form>
      <div className="grid max-w-xl gap-3">
        {trial.totals.map((total) => (
          <Card key={total.currency}>
            <CardHeader className="pb-2">
              <CardTitle className="text-sm">{total.currency.toUpperCase()}</CardTitle>
            </CardHeader>
            <CardContent className="flex justify-between text-sm tabular-nums" data-testid={`trial-totals-${total.currency}`}>
              <span>
                Debits <span data-testid={`trial-debits-${total.currency}`}>{formatMoney(total.debit, total.currency, { precise: true })}</span>
              </span>
              <span>
                Credits <span data-testid={`trial-credits-${total.currency}`}>{formatMoney(total.credit, total.currency, { precise: true })}</span>
              </span>
            </CardContent>
          </Card>
        ))}
      </div>
      {exportAllowed ? (
        <form className="flex max-w-xl items-end gap-2" action="/api/ledger/journal.csv">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="journal-from">Journal from</Label>
            <Input id="journal-from" name="from" type="date" defaultValue={monthStart} />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="journal-to">to (exclusive)</Label>
            <Input id="journal-to" name="to" type="date" defaultValue={nextMonth} />
          </div>
          <Button type="submit" variant="outline">
            Export journal CSV
          </Button>
        </form>
      ) : null}
      {trial.rows.length === 0 ? (
        <div className="rounded-lg border border-dashed p-10 text-center text-sm text-muted-foreground">No account had a balance at that time.</div>
      ) : (
        <div className="rounded-lg border">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Account</TableHead>
                <TableHead>Kind</TableHead>
                <TableHead className="text-right">Debit</TableHead>
                <TableHead className="text-right">Credit</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody data-testid="trial-balance">
              {trial.rows.map((row) => (
                <TableRow key={row.accountId}>
                  <TableCell className="font-mono text-xs">
                    <Link className="hover:underline" href={`/ledger/accounts/${row.accountId}`}>
                      {row.code}
                    </Link>
                  </TableCell>
                  <TableCell>{row.kind}</TableCell>
                  <TableCell className="text-right tabular-nums">{row.debit > 0n ? formatMoney(row.debit, row.currency, { precise: true }) : ""}</TableCell>
                  <TableCell className="text-right tabular-nums">{row.credit > 0n ? formatMoney(row.credit, row.currency, { precise: true }) : ""}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
    </div>
  );
}
