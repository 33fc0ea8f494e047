"use client";

import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import type { CustomerNote } from "@/db/schema";
import { formatDateTime } from "@/lib/format";

const columns: DataTableColumn<CustomerNote>[] = [
  { id: "created", meta: { label: "Written", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap">{formatDateTime(row.original.createdAt)}</span> },
  { id: "author", meta: { label: "Author", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap">{row.original.authorLabel}</span> },
  { id: "note", meta: { label: "Note" }, cell: ({ row }) => <p className="max-w-2xl whitespace-pre-wrap text-sm">{row.original.body}</p> },
];

export function NotesTable(props: {
  customerId: string;
  rows: CustomerNote[];
  nextCursor: string | null;
  authors: { id: string; label: string }[];
  error: string | null;
  emptyMessage: string;
}) {
  return (
    <DataTable
      name="customer-notes"
      caption="Notes"
      columns={columns}
      rows={props.rows}
      getRowId={(row) => row.id}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "created", direction: "desc" }}
      search={{ label: "Find notes", placeholder: "Words in the note" }}
      filters={[{ id: "author", label: "Author", options: props.authors.map((author) => ({ value: author.id, label: author.label })) }]}
      exportPath={`/api/lists/customer-notes/export?customer=${props.customerId}`}
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
