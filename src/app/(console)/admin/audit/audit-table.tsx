"use client";

import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import { formatDateTime } from "@/lib/format";
import type { AuditEntry } from "@/db/schema";

const columns: DataTableColumn<AuditEntry>[] = [
  { id: "occurred", meta: { label: "When", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap">{formatDateTime(row.original.occurredAt)}</span> },
  {
    id: "actor",
    meta: { label: "Who" },
    cell: ({ row }) => (
      <>
        {row.original.actorLabel} <span className="text-xs text-muted-foreground">({row.original.actorType})</span>
      </>
    ),
  },
  { id: "action", meta: { label: "Action" }, cell: ({ row }) => <span className="font-mono text-xs">{row.original.action}</span> },
  {
    id: "object",
    meta: { label: "Object" },
    cell: ({ row }) => (
      <span className="font-mono text-xs">
        {row.original.objectType}:{row.original.objectId}
      </span>
    ),
  },
  { id: "reason", meta: { label: "Reason" }, cell: ({ row }) => row.original.reason ?? "—" },
  {
    id: "change",
    meta: { label: "Change" },
    cell: ({ row }) => (
      <span className="block max-w-sm truncate font-mono text-xs" title={JSON.stringify({ before: row.original.before, after: row.original.after })}>
        {row.original.after ? JSON.stringify(row.original.after) : "—"}
      </span>
    ),
  },
];

export function AuditTable(props: { rows: AuditEntry[]; nextCursor: string | null; actions: string[]; objectTypes: string[]; error: string | null; emptyMessage: string }) {
  return (
    <DataTable
      name="audit"
      caption="Audit log"
      columns={columns}
      rows={props.rows}
      getRowId={(row) => row.id.toString()}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "occurred", direction: "desc" }}
      filters={[
        { id: "action", label: "Action", options: props.actions.map((action) => ({ value: action, label: action })) },
        { id: "objectType", label: "Object type", options: props.objectTypes.map((type) => ({ value: type, label: type })) },
        { id: "actorType", label: "Actor", options: [{ value: "user", label: "People" }, { value: "api_key", label: "API keys" }, { value: "system", label: "Tally" }] },
      ]}
      exportPath="/api/lists/audit/export"
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
