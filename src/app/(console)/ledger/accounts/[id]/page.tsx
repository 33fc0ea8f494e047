import { TRPCError } from "@trpc/server";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime, formatMoney } from "@/lib/format";
import { getServerApi } from "@/trpc/server";

export default async function LedgerAccountPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ cursor?: string }> }) {
  await requirePermission("ledger.read");
  const { id } = await params;
  const { cursor } = await searchParams;
  const api = await getServerApi();
  const balance = await api.ledger.account.get({ accountId: id }).catch((error: unknown) => {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) notFound();
    throw error;
  });
  const statement = await api.ledger.account.statement({ accountId: id, cursor, limit: 50 });
  const money = (micros: bigint) => formatMoney(micros, balance.currency, { precise: true });
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title={balance.code} description="Statement of posted entries, oldest first, with the running balance on the account's normal side." />
      <div className="grid max-w-3xl grid-cols-1 gap-4 sm:grid-cols-3">
        {(
          [
            ["Posted", balance.posted],
            ["Pending (holds)", balance.pending],
            ["Available", balance.available],
          ] as const
        ).map(([label, value]) => (
          <Card key={label}>
            <CardHeader className="pb-2">
              <CardTitle className="text-sm font-medium text-muted-foreground">{label}</CardTitle>
            </CardHeader>
            <CardContent className="text-2xl font-semibold tabular-nums" data-testid={`balance-${label.split(" ")[0]!.toLowerCase()}`}>
              {money(value)}
            </CardContent>
          </Card>
        ))}
      </div>
      <div className="rounded-lg border">
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Effective</TableHead>
              <TableHead>Kind</TableHead>
              <TableHead>Description</TableHead>
              <TableHead className="text-right">Debit</TableHead>
              <TableHead className="text-right">Credit</TableHead>
              <TableHead className="text-right">Balance</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody data-testid="account-statement">
            <TableRow>
              <TableCell colSpan={5} className="text-muted-foreground">
                Opening balance
              </TableCell>
              <TableCell className="text-right tabular-nums">{money(statement.openingBalance)}</TableCell>
            </TableRow>
            {statement.lines.map((line) => (
              <TableRow key={line.entryId}>
                <TableCell className="whitespace-nowrap">{formatDateTime(line.effectiveAt)}</TableCell>
                <TableCell>
                  <Link className="font-mono text-xs hover:underline" href={`/ledger/transactions/${line.transactionId}`}>
                    {line.kind}
                  </Link>
                </TableCell>
                <TableCell>{line.description}</TableCell>
                <TableCell className="text-right tabular-nums">{line.direction === "debit" ? money(line.amount < 0n ? -line.amount : line.amount) : ""}</TableCell>
                <TableCell className="text-right tabular-nums">{line.direction === "credit" ? money(line.amount < 0n ? -line.amount : line.amount) : ""}</TableCell>
                <TableCell className="text-right tabular-nums">{money(line.balanceAfter)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
      {statement.lines.length === 0 ? <p className="text-sm text-muted-foreground">No entries on this account yet.</p> : null}
      {statement.nextCursor ? (
        <Button asChild variant="outline" size="sm" className="self-start">
          <Link href={`/ledger/accounts/${id}?cursor=${encodeURIComponent(statement.nextCursor)}`}>Next page</Link>
        </Button>
      ) : null}
    </div>
  );
}
