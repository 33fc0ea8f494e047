import { TRPCError } from "@trpc/server";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { ledgerTransactionKinds } from "@/db/schema";
import { formatMoney } from "@/lib/format";
import { ledgerStatementView } from "@/server/api/lists/ledger-lists";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { getServerApi } from "@/trpc/server";
import { StatementTable } from "./statement-table";

export default async function LedgerAccountPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<UrlParams> }) {
  await requirePermission("ledger.read");
  const { id } = await params;
  const api = await getServerApi();
  const balance = await api.ledger.account.get({ accountId: id }).catch((error: unknown) => {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) notFound();
    throw error;
  });
  const view = parseView(ledgerStatementView, await searchParams, { account: id });
  const input = view.ok ? view.input : ledgerStatementView.parse({ account: id });
  const { page, error } = await loadView(input, (next) => api.ledger.account.statementView({ ...next, limit: 50 }));
  const money = (micros: bigint) => formatMoney(micros, balance.currency, { precise: true });
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title={balance.code} description="Statement of posted entries, oldest first, with the running balance on the account's normal side after each." />
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
      <StatementTable
        accountId={id}
        kinds={ledgerTransactionKinds}
        currency={balance.currency}
        rows={page.items}
        nextCursor={page.nextCursor}
        error={view.ok ? error : `${view.message} (showing the whole statement)`}
        emptyMessage={input.kind || input.side ? "No entry matches this view." : "No entries on this account yet."}
      />
    </div>
  );
}
