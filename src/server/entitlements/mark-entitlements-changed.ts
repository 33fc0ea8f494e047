import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { entitlementVersions } from "@/db/schema";
import { emitWebhookEvent } from "@/server/webhooks/emit-webhook-event";

/**
 * Call inside the transaction of any change to what a customer may use. Caches of entitlement
 * definitions hold the version they were built from and rebuild when it moves; the product hears
 * of it as `entitlement.changed` (then reads GET /api/v1/customers/{customer}/entitlements).
 */
export async function markEntitlementsChanged(db: Db, customerId: string): Promise<void> {
  const [row] = await db
    .insert(entitlementVersions)
    .values({ customerId, version: 1n })
    .onConflictDoUpdate({
      target: entitlementVersions.customerId,
      set: { version: sql`${entitlementVersions.version} + 1`, updatedAt: sql`now()` },
    })
    .returning({ version: entitlementVersions.version, updatedAt: entitlementVersions.updatedAt });
  const at = row?.updatedAt ?? new Date();
  await emitWebhookEvent(db, {
    type: "entitlement.changed",
    customerId,
    data: { object: { object: "entitlement_change", customer: customerId, version: String(row?.version ?? 1n), changed_at: at.toISOString() } },
    at,
  });
}
