import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { apiKeyScopes } from "@/db/schema";
import { apiKeysView } from "@/server/api/lists/admin-lists";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { getServerApi } from "@/trpc/server";
import { ApiKeysTable } from "./api-keys-table";
import { CreateApiKeyForm } from "./create-api-key-form";

export default async function ApiKeysPage({ searchParams }: { searchParams: Promise<UrlParams> }) {
  await requirePermission("apiKeys.manage");
  const view = parseView(apiKeysView, await searchParams);
  const input = view.ok ? view.input : apiKeysView.parse({});
  const api = await getServerApi();
  const { page, error } = await loadView(input, (next) => api.apiKey.listView({ ...next, limit: 50 }));
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="API keys"
        description={
          <>
            Keys the product&apos;s back end uses for the billing API (sign-ups, subscriptions, invoices), usage events and entitlement checks. Only a key&apos;s prefix is kept visible.{" "}
            <a className="underline" href="/api/docs">
              API reference
            </a>
          </>
        }
      />
      <ApiKeysTable
        rows={page.items}
        scopes={apiKeyScopes}
        nextCursor={page.nextCursor}
        error={view.ok ? error : `${view.message} (showing every key)`}
        emptyMessage={input.search || input.status || input.scope ? "No API key matches this view." : "No API keys yet: create one below."}
      />
      <CreateApiKeyForm scopes={apiKeyScopes} />
    </div>
  );
}
