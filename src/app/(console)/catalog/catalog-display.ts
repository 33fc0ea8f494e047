import type { PlanVersionStatus } from "@/db/schema/catalog";
import type { PriceModel } from "@/server/pricing/price-schema";

/** How a version's status shows as a badge. */
export const planVersionStatusVariant: Record<PlanVersionStatus, "secondary" | "success" | "outline"> = { draft: "secondary", published: "success", archived: "outline" };

/** A price model in words a person reads on an invoice: "$0.000002 per unit", "3 tiers (graduated)". */
export function describePriceModel(price: PriceModel): string {
  const included = price.includedQuantity && price.includedQuantity !== "0" ? `, first ${price.includedQuantity} included` : "";
  switch (price.model) {
    case "per_unit":
      return `$${price.unitPrice} per unit${included}`;
    case "package":
      return `$${price.packagePrice} per ${price.packageSize} units (rounded up)${included}`;
    case "graduated":
    case "volume":
      return `${price.tiers.length} tier${price.tiers.length === 1 ? "" : "s"} (${price.model === "graduated" ? "graduated: each tier prices its own units" : "volume: the tier reached prices every unit"})${included}`;
  }
}
