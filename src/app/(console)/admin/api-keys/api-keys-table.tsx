"use client";

import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import { Badge } from "@/components/ui/badge";
import { formatDateTime } from "@/lib/format";
import type { ApiKeyRow } from "@/server/api-keys/list-api-keys-view";
import { RevokeApiKeyDialog } from "./revoke-api-key-dialog";

const columns: DataTableColumn<ApiKeyRow>[] = [
  { id: "name", meta: { label: "Name", sortable: true }, cell: ({ row }) => <span className="font-medium">{row.original.name}</span> },
  { id: "prefix", meta: { label: "Prefix" }, cell: ({ row }) => <span className="font-mono text-xs">{row.original.prefix}…</span> },
  {
    id: "scopes",
    meta: { label: "Scopes" },
    cell: ({ row }) => (
      <span className="flex gap-1">
        {row.original.scopes.map((scope) => (
          <Badge key={scope} variant="secondary">
            {scope}
          </Badge>
        ))}
      </span>
    ),
  },
  {
    id: "created",
    meta: { label: "Created", sortable: true },
    cell: ({ row }) => (
      <span className="whitespace-nowrap text-sm">
        {formatDateTime(row.original.createdAt)}
        <span className="block text-xs text-muted-foreground">by {row.original.createdByLabel}</span>
      </span>
    ),
  },
  {
    id: "status",
    meta: { label: "Status" },
    cell: ({ row }) =>
      row.original.revokedAt ? (
        <span className="whitespace-nowrap text-sm">
          <Badge variant="destructive">revoked</Badge>
          <span className="block text-xs text-muted-foreground">
            {formatDateTime(row.original.revokedAt)} by {row.original.revokedByLabel}
          </span>
        </span>
      ) : (
        <Badge variant="success">active</Badge>
      ),
  },
  {
    id: "actions",
    meta: { label: "Actions", align: "right" },
    cell: ({ row }) => (row.original.revokedAt ? null : <RevokeApiKeyDialog id={row.original.id} name={row.original.name} prefix={row.original.prefix} />),
  },
];

export function ApiKeysTable(props: { rows: ApiKeyRow[]; scopes: readonly string[]; nextCursor: string | null; error: string | null; emptyMessage: string }) {
  return (
    <DataTable
      name="api-keys"
      caption="API keys"
      columns={columns}
      rows={props.rows}
      getRowId={(row) => row.id}
      rowTestId={(row) => `api-key-row-${row.prefix}`}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "created", direction: "desc" }}
      search={{ label: "Search API keys", placeholder: "Part of a name, or a prefix" }}
      filters={[
        { id: "status", label: "Status", options: [{ value: "active", label: "Active" }, { value: "revoked", label: "Revoked" }] },
        { id: "scope", label: "Scope", options: props.scopes.map((scope) => ({ value: scope, label: scope })) },
      ]}
      exportPath="/api/lists/api-keys/export"
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
