import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { entitlementVersions } from "@/db/schema";

/**
 * Call inside the transaction of any change to what a customer may use. Caches of entitlement
 * definitions hold the version they were built from and rebuild when it moves.
 */
export async function markEntitlementsChanged(db: Db, customerId: string): Promise<void> {
  await db
    .insert(entitlementVersions)
    .values({ customerId, version: 1n })
    .onConflictDoUpdate({
      target: entitlementVersions.customerId,
      set: { version: sql`${entitlementVersions.version} + 1`, updatedAt: sql`now()` },
    });
}
