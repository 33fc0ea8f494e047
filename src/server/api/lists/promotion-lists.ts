import { z } from "zod";
import { promotionStatuses } from "@/db/schema";
import { describeEffect } from "@/lib/promotion-effect";
import { listPromotions, promotionSortKeys, type PromotionSummary } from "@/server/promotions/list-promotions";
import type { ListExport } from "./export-list";

/** URL view of the promotions: `q` is part of a name. */
export const promotionsView = z.object({
  search: z.string().trim().max(200).optional(),
  status: z.enum(promotionStatuses).optional(),
  sort: z.enum(promotionSortKeys).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});

export const promotionsExport: ListExport<z.infer<typeof promotionsView>, PromotionSummary> = {
  permission: "promotions.read",
  filename: "promotions",
  schema: promotionsView,
  list: listPromotions,
  columns: [
    { label: "Name", value: (row) => row.name },
    { label: "Status", value: (row) => row.status },
    { label: "Effect", value: (row) => describeEffect(row.effect) },
    { label: "Starts", value: (row) => row.startsAt },
    { label: "Ends", value: (row) => row.endsAt },
    { label: "Redemptions", value: (row) => row.stats.redemptions },
    { label: "Max redemptions", value: (row) => row.maxRedemptions },
    { label: "Currency", value: (row) => row.stats.currency },
    { label: "Credits granted", type: "money", value: (row) => row.stats.grantedMicros },
    { label: "Burned", type: "money", value: (row) => row.stats.burnedMicros },
    { label: "Cost so far", type: "money", value: (row) => row.stats.costMicros },
    { label: "Created", value: (row) => row.createdAt },
  ],
};
