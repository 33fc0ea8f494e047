import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { ledgerAccountKinds, type LedgerAccountKind } from "@/db/schema/ledger";
import { formatMoney } from "@/lib/format";
import { getServerApi } from "@/trpc/server";

type SearchParams = { kind?: string; code?: string; cursor?: string; zero?: string };

export default async function LedgerAccountsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requirePermission("ledger.read");
  const params = await searchParams;
  const kind = ledgerAccountKinds.includes(params.kind as LedgerAccountKind) ? (params.kind as LedgerAccountKind) : undefined;
  const api = await getServerApi();
  const page = await api.ledger.account.list({ kind, codePrefix: params.code?.slice(0, 200) || undefined, cursor: params.cursor, limit: 50 });
  const showZero = params.zero === "show";
  const filters = { ...(kind ? { kind } : {}), ...(params.code ? { code: params.code } : {}), ...(showZero ? { zero: "show" } : {}) };
  const names = await api.report.accountNames({ accounts: page.items.map((account) => ({ accountId: account.id, code: account.code, customerId: account.customerId })) });
  const items = showZero ? page.items : page.items.filter((account) => account.balance.posted !== 0n || account.balance.pending !== 0n);
  return (
    <div>
      <PageHeader
        title="Ledger accounts"
        description="Every account of the double-entry ledger with its posted, pending and available balance."
        actions={
          <Button asChild variant="outline">
            <Link href="/ledger/trial-balance">Trial balance & exports</Link>
          </Button>
        }
      />
      <form className="mb-4 flex max-w-3xl flex-wrap items-center gap-2" action="/ledger">
        <Input name="code" defaultValue={params.code ?? ""} placeholder="Code starts with, e.g. revenue: or customer:" aria-label="Account code prefix" />
        <NativeSelect name="kind" defaultValue={kind ?? ""} aria-label="Account kind" className="w-40">
          <option value="">All kinds</option>
          {ledgerAccountKinds.map((each) => (
            <option key={each} value={each}>
              {each}
            </option>
          ))}
        </NativeSelect>
        <label className="flex items-center gap-2 whitespace-nowrap text-sm">
          <input type="checkbox" name="zero" value="show" defaultChecked={showZero} />
          Show zero balances
        </label>
        <Button type="submit">Filter</Button>
      </form>
      {items.length === 0 ? (
        <div className="rounded-lg border border-dashed p-10 text-center text-sm text-muted-foreground">No ledger accounts with a balance match on this page{page.nextCursor ? " (see the next page)" : ""}.</div>
      ) : (
        <div className="rounded-lg border">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Account</TableHead>
                <TableHead>Code</TableHead>
                <TableHead>Kind</TableHead>
                <TableHead className="text-right">Posted</TableHead>
                <TableHead className="text-right">Pending</TableHead>
                <TableHead className="text-right">Available</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody data-testid="ledger-accounts">
              {items.map((account) => (
                <TableRow key={account.id}>
                  <TableCell>
                    <Link className="hover:underline" href={`/ledger/accounts/${account.id}`}>
                      {names[account.id]?.name ?? account.code}
                    </Link>
                  </TableCell>
                  <TableCell className="font-mono text-xs">
                    <Link className="hover:underline" href={`/ledger/accounts/${account.id}`}>
                      {account.code}
                    </Link>
                    {account.nonNegative ? <Badge variant="outline" className="ml-2">never below zero</Badge> : null}
                    {account.closed ? <Badge variant="secondary" className="ml-2">closed</Badge> : null}
                  </TableCell>
                  <TableCell>{account.kind}</TableCell>
                  <TableCell className="text-right tabular-nums">{formatMoney(account.balance.posted, account.currency, { precise: true })}</TableCell>
                  <TableCell className="text-right tabular-nums">{formatMoney(account.balance.pending, account.currency, { precise: true })}</TableCell>
                  <TableCell className="text-right tabular-nums">{formatMoney(account.balance.available, account.currency, { precise: true })}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      {page.nextCursor ? (
        <Button asChild variant="outline" size="sm" className="mt-4">
          <Link href={`/ledger?${new URLSearchParams({ ...filters, cursor: page.nextCursor })}`}>Next page</Link>
        </Button>
      ) : null}
    </div>
  );
}
