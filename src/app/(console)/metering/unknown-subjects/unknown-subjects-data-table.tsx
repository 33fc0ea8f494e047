"use client";

import Link from "next/link";
import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import { formatDateTime } from "@/lib/format";
import { AttachDialog } from "../unknown-subjects-table";

export type UnknownSubjectRow = { subject: string; events: number; firstOccurredAt: string; lastOccurredAt: string; customer: { id: string; name: string } | null };

function columns(canAttach: boolean): DataTableColumn<UnknownSubjectRow>[] {
  return [
    { id: "subject", meta: { label: "Subject (external id)", sortable: true }, cell: ({ row }) => <span className="font-mono text-xs">{row.original.subject}</span> },
    { id: "events", meta: { label: "Events", sortable: true, align: "right" }, cell: ({ row }) => row.original.events.toLocaleString("en-US") },
    { id: "first", meta: { label: "First event", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap text-xs">{formatDateTime(row.original.firstOccurredAt)}</span> },
    { id: "last", meta: { label: "Last event", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap text-xs">{formatDateTime(row.original.lastOccurredAt)}</span> },
    {
      id: "customer",
      meta: { label: "Customer" },
      cell: ({ row }) =>
        row.original.customer ? (
          <Link className="underline underline-offset-4" href={`/customers/${row.original.customer.id}`}>
            {row.original.customer.name}
          </Link>
        ) : (
          <span className="text-xs text-muted-foreground">none with this external id yet</span>
        ),
    },
    {
      id: "actions",
      meta: { label: "Actions" },
      cell: ({ row }) =>
        canAttach && row.original.customer ? <AttachDialog subject={row.original.subject} events={row.original.events} customerName={row.original.customer.name} /> : null,
    },
  ];
}

export function UnknownSubjectsDataTable(props: { rows: UnknownSubjectRow[]; nextCursor: string | null; canAttach: boolean; error: string | null; emptyMessage: string }) {
  return (
    <DataTable
      name="unknown-subjects"
      caption="Unknown subjects"
      columns={columns(props.canAttach)}
      rows={props.rows}
      getRowId={(row) => row.subject}
      rowTestId={(row) => `unknown-subject-${row.subject}`}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "events", direction: "desc" }}
      search={{ label: "Find a subject", placeholder: "Subject or its start" }}
      filters={[
        {
          id: "customer",
          label: "Customer",
          options: [
            { value: "found", label: "Exists now" },
            { value: "none", label: "Not yet" },
          ],
        },
      ]}
      exportPath="/api/lists/unknown-subjects/export"
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
