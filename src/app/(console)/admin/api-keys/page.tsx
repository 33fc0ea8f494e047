import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { apiKeyScopes } from "@/db/schema";
import { formatDateTime } from "@/lib/format";
import { getServerApi } from "@/trpc/server";
import { CreateApiKeyForm } from "./create-api-key-form";
import { RevokeApiKeyDialog } from "./revoke-api-key-dialog";

export default async function ApiKeysPage() {
  await requirePermission("apiKeys.manage");
  const api = await getServerApi();
  const keys = await api.apiKey.list({ includeRevoked: true, limit: 200 });
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
      {keys.items.length === 0 ? (
        <p className="text-sm text-muted-foreground">No API keys yet: create one below.</p>
      ) : (
        <div className="rounded-lg border">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Prefix</TableHead>
                <TableHead>Scopes</TableHead>
                <TableHead>Created</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>
                <span className="sr-only">Actions</span>
              </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody data-testid="api-keys-table">
              {keys.items.map((key) => (
                <TableRow key={key.id} data-testid={`api-key-row-${key.prefix}`}>
                  <TableCell className="font-medium">{key.name}</TableCell>
                  <TableCell className="font-mono text-xs">{key.prefix}…</TableCell>
                  <TableCell>
                    <span className="flex gap-1">
                      {key.scopes.map((scope) => (
                        <Badge key={scope} variant="secondary">
                          {scope}
                        </Badge>
                      ))}
                    </span>
                  </TableCell>
                  <TableCell className="whitespace-nowrap text-sm">
                    {formatDateTime(key.createdAt)}
                    <div className="text-xs text-muted-foreground">by {key.createdByLabel}</div>
                  </TableCell>
                  <TableCell className="whitespace-nowrap text-sm">
                    {key.revokedAt ? (
                      <>
                        <Badge variant="destructive">revoked</Badge>
                        <div className="text-xs text-muted-foreground">
                          {formatDateTime(key.revokedAt)} by {key.revokedByLabel}
                        </div>
                      </>
                    ) : (
                      <Badge variant="success">active</Badge>
                    )}
                  </TableCell>
                  <TableCell className="text-right">{key.revokedAt ? null : <RevokeApiKeyDialog id={key.id} name={key.name} prefix={key.prefix} />}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      {keys.nextCursor ? <p className="text-sm text-muted-foreground">Showing the newest 200 keys.</p> : null}
      <CreateApiKeyForm scopes={apiKeyScopes} />
    </div>
  );
}
