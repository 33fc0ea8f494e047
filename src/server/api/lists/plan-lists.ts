import { z } from "zod";
import { listPlansView, planSortKeys, planStates, type PlanListRow } from "@/server/catalog/list-plans-view";
import type { ListExport } from "./export-list";

/** URL view of the plans: `q` is part of a key or name, `state` what the plan's versions make it. */
export const plansView = z.object({
  search: z.string().trim().max(100).optional(),
  state: z.enum(planStates).optional(),
  sort: z.enum(planSortKeys).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(25),
});

const current = (row: PlanListRow) => row.versions.find((version) => version.id === row.currentVersionId);

export const plansExport: ListExport<z.infer<typeof plansView>, PlanListRow> = {
  permission: "catalog.read",
  filename: "plans",
  schema: plansView,
  list: listPlansView,
  columns: [
    { label: "Key", value: (row) => row.key },
    { label: "Name", value: (row) => row.name },
    { label: "State", value: (row) => row.state },
    { label: "Current version", value: (row) => current(row)?.version ?? null },
    { label: "Currency", value: (row) => current(row)?.currency ?? null },
    { label: "Base fee per seat", type: "money", value: (row) => current(row)?.baseFeePerSeatMicros ?? null },
    { label: "Billing interval", value: (row) => current(row)?.billingInterval ?? null },
    { label: "Versions", value: (row) => row.versions.map((version) => `v${version.version} ${version.status}`).join(" ") },
    { label: "Created", value: (row) => row.createdAt },
  ],
};
