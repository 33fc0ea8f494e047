"use client";

import Link from "next/link";
import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import { Badge } from "@/components/ui/badge";
import { formatDate, formatMoney } from "@/lib/format";
import type { PlanListRow } from "@/server/catalog/list-plans-view";
import { planVersionStatusVariant } from "./catalog-display";

const columns: DataTableColumn<PlanListRow>[] = [
  { id: "key", meta: { label: "Key", sortable: true }, cell: ({ row }) => <span className="font-mono text-xs">{row.original.key}</span> },
  { id: "name", meta: { label: "Plan", sortable: true }, cell: ({ row }) => <span className="font-medium">{row.original.name}</span> },
  {
    id: "current",
    meta: { label: "Current version" },
    cell: ({ row }) => {
      const current = row.original.versions.find((version) => version.id === row.original.currentVersionId);
      return (
        <span className="text-sm">
          {current ? `v${current.version}: ${formatMoney(current.baseFeePerSeatMicros, current.currency)} per seat a ${current.billingInterval}` : "none published"}
        </span>
      );
    },
  },
  {
    id: "versions",
    meta: { label: "Versions" },
    cell: ({ row }) => (
      <div className="flex flex-wrap gap-1.5">
        {row.original.versions.map((version) => (
          <Link key={version.id} href={`/catalog/versions/${version.id}`}>
            <Badge variant={planVersionStatusVariant[version.status]}>
              <span className="sr-only">{row.original.name} </span>v{version.version} {version.status}
            </Badge>
          </Link>
        ))}
        {row.original.versions.length === 0 ? <span className="text-sm text-muted-foreground">no versions yet</span> : null}
      </div>
    ),
  },
  { id: "created", meta: { label: "Created", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap">{formatDate(row.original.createdAt)}</span> },
];

const stateLabels = { published: "Published", draft: "Draft only", archived: "Archived", empty: "No version" } as const;

export function PlansTable(props: { rows: PlanListRow[]; nextCursor: string | null; states: readonly (keyof typeof stateLabels)[]; error: string | null; emptyMessage: string }) {
  return (
    <DataTable
      name="plans"
      caption="Plans"
      columns={columns}
      rows={props.rows}
      getRowId={(row) => row.id}
      rowTestId={(row) => `plan-${row.key}`}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "key", direction: "asc" }}
      search={{ label: "Find a plan", placeholder: "Key or name" }}
      filters={[{ id: "state", label: "State", options: props.states.map((state) => ({ value: state, label: stateLabels[state] })) }]}
      exportPath="/api/lists/plans/export"
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
