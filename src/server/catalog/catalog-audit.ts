import type { Db } from "@/db/client";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";

/** Who changes the catalog, and why (the console asks for a reason on publish and archive). */
export type CatalogMutationContext = { actor: Actor; reason?: string | null };

export async function recordCatalogAudit(
  db: Db,
  context: CatalogMutationContext,
  entry: { action: string; objectType: string; objectId: string; before?: unknown; after?: unknown },
): Promise<void> {
  await recordAudit(db, { actor: context.actor, reason: context.reason ?? null, ...entry });
}
