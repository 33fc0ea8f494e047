import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Button } from "@/components/ui/button";
import { ledgerAccountKinds } from "@/db/schema";
import { ledgerAccountsView } from "@/server/api/lists/ledger-lists";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { getServerApi } from "@/trpc/server";
import { LedgerAccountsTable } from "./ledger-accounts-table";

export default async function LedgerAccountsPage({ searchParams }: { searchParams: Promise<UrlParams> }) {
  await requirePermission("ledger.read");
  const view = parseView(ledgerAccountsView, await searchParams);
  const input = view.ok ? view.input : ledgerAccountsView.parse({});
  const api = await getServerApi();
  const [{ page, error }, currencies] = await Promise.all([loadView(input, (next) => api.ledger.account.listView({ ...next, limit: 50 })), api.ledger.account.currencies()]);
  const filtered = input.search || input.kind || input.currency || input.balance;
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
      <LedgerAccountsTable
        rows={page.items}
        kinds={ledgerAccountKinds}
        nextCursor={page.nextCursor}
        currencies={currencies}
        error={view.ok ? error : `${view.message} (showing every account)`}
        emptyMessage={filtered ? "No ledger account matches this view." : "No ledger accounts yet."}
      />
    </div>
  );
}
