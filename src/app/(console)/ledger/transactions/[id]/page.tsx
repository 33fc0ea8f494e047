import { TRPCError } from "@trpc/server";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime, formatMoney } from "@/lib/format";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import { ReverseTransactionDialog } from "./reverse-transaction-dialog";

export default async function LedgerTransactionPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePermission("ledger.read");
  const { id } = await params;
  const api = await getServerApi();
  const view = await api.ledger.transaction.get({ transactionId: id }).catch((error: unknown) => {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) notFound();
    throw error;
  });
  const { transaction } = view;
  const references = Object.entries(transaction).filter(([key, value]) => key.endsWith("Id") && key !== "id" && typeof value === "string");
  const reversible = transaction.status === "posted" && transaction.kind !== "reversal" && !view.reversedBy;
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title={`${transaction.kind} transaction`}
        description={transaction.description || "No description."}
        actions={reversible && can(user.role, "ledger.write") ? <ReverseTransactionDialog transactionId={transaction.id} /> : null}
      />
      <Card>
        <CardContent className="grid grid-cols-2 gap-x-8 gap-y-2 pt-5 text-sm md:grid-cols-4">
          <span className="text-muted-foreground">Status</span>
          <span>
            <Badge variant={transaction.status === "posted" ? "success" : "secondary"}>{transaction.status}</Badge>
            {view.reversedBy ? (
              <Link className="ml-2 text-xs underline" href={`/ledger/transactions/${view.reversedBy}`} data-testid="reversed-by">
                reversed
              </Link>
            ) : null}
          </span>
          <span className="text-muted-foreground">Effective</span>
          <span>{formatDateTime(transaction.effectiveAt)}</span>
          <span className="text-muted-foreground">Posted</span>
          <span>{formatDateTime(transaction.postedAt)}</span>
          <span className="text-muted-foreground">Idempotency key</span>
          <span className="break-all font-mono text-xs">{transaction.idempotencyKey}</span>
          {references.map(([key, value]) => (
            <span key={key} className="contents">
              <span className="text-muted-foreground">{key}</span>
              <span className="break-all font-mono text-xs">{String(value)}</span>
            </span>
          ))}
        </CardContent>
      </Card>
      <div className="rounded-lg border">
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Account</TableHead>
              <TableHead>Phase</TableHead>
              <TableHead className="text-right">Debit</TableHead>
              <TableHead className="text-right">Credit</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody data-testid="transaction-entries">
            {view.entries.map((entry) => (
              <TableRow key={entry.id.toString()}>
                <TableCell className="font-mono text-xs">
                  <Link className="hover:underline" href={`/ledger/accounts/${entry.accountId}`}>
                    {entry.accountCode}
                  </Link>
                </TableCell>
                <TableCell>{entry.phase}</TableCell>
                <TableCell className="text-right tabular-nums">{entry.direction === "debit" ? formatMoney(entry.amount < 0n ? -entry.amount : entry.amount, entry.currency, { precise: true }) : ""}</TableCell>
                <TableCell className="text-right tabular-nums">{entry.direction === "credit" ? formatMoney(entry.amount < 0n ? -entry.amount : entry.amount, entry.currency, { precise: true }) : ""}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    </div>
  );
}
