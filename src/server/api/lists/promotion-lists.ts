import { z } from "zod";
import { promotionStatuses } from "@/db/schema";
import { describeEffect } from "@/lib/promotion-effect";
import type { Db } from "@/db/client";
import { listPromotionRedemptions, redemptionCodeKinds, redemptionSortKeys, type PromotionRedemptionRow } from "@/server/promotions/list-promotion-redemptions";
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

/** URL view of one promotion's redemptions: `promotion` is its id (the page's path, the export's parameter); `q` a customer or the start of a code. */
export const promotionRedemptionsView = z.object({
  promotion: z.uuid(),
  search: z.string().trim().max(200).optional(),
  codeKind: z.enum(redemptionCodeKinds).optional(),
  sort: z.enum(redemptionSortKeys).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});
type PromotionRedemptionsView = z.infer<typeof promotionRedemptionsView>;

export const listPromotionRedemptionsForView = (db: Db, input: PromotionRedemptionsView) => listPromotionRedemptions(db, { ...input, promotionId: input.promotion });

export const promotionRedemptionsExport: ListExport<PromotionRedemptionsView, PromotionRedemptionRow> = {
  permission: "promotions.read",
  filename: "promotion-redemptions",
  schema: promotionRedemptionsView,
  list: listPromotionRedemptionsForView,
  columns: [
    { label: "Redemption", value: (row) => row.id },
    { label: "Customer", value: (row) => row.customerName },
    { label: "External id", value: (row) => row.customerExternalId },
    { label: "Code", value: (row) => row.code },
    { label: "Code kind", value: (row) => row.codeKind },
    { label: "Effect", value: (row) => describeEffect(row.effect) },
    { label: "Redeemed", value: (row) => row.redeemedAt },
    { label: "Redeemed by", value: (row) => row.redeemedBy },
    { label: "Credit grant", value: (row) => row.grantId },
  ],
};
