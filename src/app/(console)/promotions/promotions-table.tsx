"use client";

import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import { promotionStatuses, type PromotionEffect, type PromotionStatus } from "@/db/schema/promotions";
import { formatDate, formatMoney } from "@/lib/format";
import { describeEffect, statusVariant } from "./describe-effect";

export type PromotionRow = {
  id: string;
  name: string;
  status: PromotionStatus;
  effect: PromotionEffect;
  startsAt: Date;
  endsAt: Date | null;
  maxRedemptions: number | null;
  createdAt: Date;
  stats: { redemptions: number; currency: string | null; grantedMicros: bigint; burnedMicros: bigint; costMicros: bigint };
};

const money = (value: bigint, row: PromotionRow) => formatMoney(value, row.stats.currency ?? "usd");

const columns: DataTableColumn<PromotionRow>[] = [
  {
    id: "name",
    meta: { label: "Name", sortable: true },
    cell: ({ row }) => (
      <Link className="font-medium underline" href={`/promotions/${row.original.id}`}>
        {row.original.name}
      </Link>
    ),
  },
  { id: "status", meta: { label: "Status" }, cell: ({ row }) => <Badge variant={statusVariant[row.original.status]}>{row.original.status}</Badge> },
  { id: "effect", meta: { label: "Effect" }, cell: ({ row }) => describeEffect(row.original.effect) },
  {
    id: "starts",
    meta: { label: "Window", sortable: true },
    cell: ({ row }) => (
      <span className="whitespace-nowrap">
        {formatDate(row.original.startsAt)} → {row.original.endsAt ? formatDate(row.original.endsAt) : "open"}
      </span>
    ),
  },
  {
    id: "redemptions",
    meta: { label: "Redemptions", sortable: true, align: "right" },
    cell: ({ row }) => `${row.original.stats.redemptions}${row.original.maxRedemptions === null ? "" : ` / ${row.original.maxRedemptions}`}`,
  },
  { id: "granted", meta: { label: "Credits granted", align: "right" }, cell: ({ row }) => money(row.original.stats.grantedMicros, row.original) },
  { id: "burned", meta: { label: "Burned", align: "right" }, cell: ({ row }) => money(row.original.stats.burnedMicros, row.original) },
  { id: "cost", meta: { label: "Cost so far", align: "right" }, cell: ({ row }) => money(row.original.stats.costMicros, row.original) },
  { id: "created", meta: { label: "Created", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap">{formatDate(row.original.createdAt)}</span> },
];

export function PromotionsTable(props: { rows: PromotionRow[]; nextCursor: string | null; error: string | null; emptyMessage: string }) {
  return (
    <DataTable
      name="promotions"
      caption="Promotions"
      columns={columns}
      rows={props.rows}
      getRowId={(row) => row.id}
      nextCursor={props.nextCursor}
      defaultSort={{ id: "created", direction: "desc" }}
      search={{ label: "Search promotions", placeholder: "Part of a name" }}
      filters={[{ id: "status", label: "Status", options: promotionStatuses.map((status) => ({ value: status, label: status })) }]}
      exportPath="/api/lists/promotions/export"
      error={props.error}
      emptyMessage={props.emptyMessage}
    />
  );
}
