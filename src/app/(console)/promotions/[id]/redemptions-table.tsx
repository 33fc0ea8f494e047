"use client";

import Link from "next/link";
import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import { formatDateTime } from "@/lib/format";
import type { PromotionRedemptionRow } from "@/server/promotions/list-promotion-redemptions";

const columns: DataTableColumn<PromotionRedemptionRow>[] = [
  {
    id: "customer",
    meta: { label: "Customer" },
    cell: ({ row }) => (
      <Link className="underline" href={`/customers/${row.original.customerId}`}>
        {row.original.customerName}
      </Link>
    ),
  },
  { id: "code", meta: { label: "Code" }, cell: ({ row }) => <span className="font-mono">{row.original.code}</span> },
  { id: "codeKind", meta: { label: "Code kind" }, cell: ({ row }) => (row.original.codeKind === "shared" ? "shared" : "single-use") },
  { id: "redeemed", meta: { label: "When", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap">{formatDateTime(row.original.redeemedAt)}</span> },
  { id: "by", meta: { label: "By", sortable: true }, cell: ({ row }) => row.original.redeemedBy },
];

export function RedemptionsTable(props: { promotionId: string; rows: PromotionRedemptionRow[]; nextCursor: string | null; error: string | null; emptyMessage: string }) {
  return (
    <DataTable
      name="redemptions"
      caption="Redemptions"
      columns={columns}
      rows={props.rows}
      getRowId={(row) => row.id}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "redeemed", direction: "desc" }}
      search={{ label: "Search redemptions", placeholder: "Customer name, external id or code" }}
      filters={[
        {
          id: "codeKind",
          label: "Code kind",
          options: [
            { value: "shared", label: "shared" },
            { value: "unique", label: "single-use" },
          ],
        },
      ]}
      exportPath={`/api/lists/promotion-redemptions/export?promotion=${props.promotionId}`}
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
