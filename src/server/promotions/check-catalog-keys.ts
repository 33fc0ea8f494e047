import { inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { features, meters, plans, products } from "@/db/schema";
import { DomainError } from "@/server/errors";
import type { PromotionEffect, PromotionEligibility } from "@/db/schema/promotions";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/**
 * A promotion may only name plans, products, features and meters that exist: a misspelled key
 * ("teem") would otherwise be saved and silently match nobody. The first unknown key is refused
 * with the field it came from.
 */
export async function checkCatalogKeys(tx: Db | Tx, input: { eligibility: PromotionEligibility; effect: PromotionEffect }): Promise<void> {
  const wanted: { table: typeof plans | typeof products | typeof features | typeof meters; noun: string; param: string; keys: string[] }[] = [
    { table: plans, noun: "plan", param: "eligibility.planKeys", keys: input.eligibility.planKeys },
    { table: products, noun: "product", param: "eligibility.productKeys", keys: input.eligibility.productKeys },
  ];
  if (input.effect.type === "discount") wanted.push({ table: products, noun: "product", param: "effect.productKey", keys: [input.effect.productKey] });
  if (input.effect.type === "allowance") {
    wanted.push({ table: features, noun: "feature", param: "effect.featureKey", keys: [input.effect.featureKey] });
    wanted.push({ table: meters, noun: "meter", param: "effect.meterKey", keys: [input.effect.meterKey] });
  }
  for (const { table, noun, param, keys } of wanted) {
    if (keys.length === 0) continue;
    const found = new Set((await tx.select({ key: table.key }).from(table).where(inArray(table.key, keys))).map((row) => row.key));
    const unknown = keys.find((key) => !found.has(key));
    if (unknown !== undefined) {
      throw new DomainError("invalid", `unknown_${noun}_key`, `No ${noun} has the key "${unknown}". Choose a ${noun} from the list.`, { param });
    }
  }
}
