"use client";

import Link from "next/link";
import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import { formatDate, formatMoney } from "@/lib/format";
import type { PlanSimulationResultRow } from "@/server/invoicing/list-plan-simulation-results";

function columnsFor(currency: string, proposedVersion: number): DataTableColumn<PlanSimulationResultRow>[] {
  return [
    {
      id: "customer",
      meta: { label: "Customer", sortable: true },
      cell: ({ row }) => (
        <span className="flex flex-col">
          <Link className="underline" href={`/customers/${row.original.customerId}`}>
            {row.original.customerName}
          </Link>
          <span className="font-mono text-xs text-muted-foreground">{row.original.customerExternalId}</span>
        </span>
      ),
    },
    {
      id: "period",
      meta: { label: "Period" },
      cell: ({ row }) => (
        <span className="whitespace-nowrap">
          {formatDate(row.original.periodStart)} → {formatDate(row.original.periodEnd)}
        </span>
      ),
    },
    { id: "current", meta: { label: "Now", sortable: true, align: "right" }, cell: ({ row }) => formatMoney(row.original.currentMicros, currency) },
    { id: "proposed", meta: { label: `Under v${proposedVersion}`, sortable: true, align: "right" }, cell: ({ row }) => formatMoney(row.original.proposedMicros, currency) },
    {
      id: "difference",
      meta: { label: "Difference", sortable: true, align: "right" },
      cell: ({ row }) => <span data-testid="result-difference">{formatMoney(row.original.differenceMicros, currency, { signed: true })}</span>,
    },
    {
      id: "magnitude",
      meta: { label: "Size of change", sortable: true, align: "right" },
      cell: ({ row }) => formatMoney(row.original.differenceMicros < 0n ? -row.original.differenceMicros : row.original.differenceMicros, currency),
    },
  ];
}

export function SimulationResultsTable(props: {
  runId: string;
  currency: string;
  proposedVersion: number;
  rows: PlanSimulationResultRow[];
  nextCursor: string | null;
  error: string | null;
  emptyMessage: string;
}) {
  return (
    <DataTable
      name="simulation-results"
      caption="Simulation results"
      columns={columnsFor(props.currency, props.proposedVersion)}
      rows={props.rows}
      getRowId={(row) => row.subscriptionId}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "magnitude", direction: "desc" }}
      search={{ label: "Search customers", placeholder: "Customer name or external id" }}
      filters={[
        {
          id: "change",
          label: "Change",
          options: [
            { value: "increase", label: "would pay more" },
            { value: "decrease", label: "would pay less" },
            { value: "unchanged", label: "the same" },
          ],
        },
      ]}
      exportPath={`/api/lists/plan-simulation-results/export?run=${props.runId}`}
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
