import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { executeRows } from "@/db/execute";
import { systemActor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { webhookDeliveryPolicy } from "./delivery-policy";

export const webhookEndpointDisabledKind = "webhook_endpoint.disabled";

/**
 * Disables every enabled endpoint whose deliveries have failed without a single success for the
 * whole retry window (three days), and records a staff notification for each (the console shows
 * it; with SMTP configured the admins get an email). Its pending deliveries wait: re-enabling the
 * endpoint resumes them. Returns the disabled endpoints' ids.
 */
export async function disableFailingEndpoints(db: Db, clock: Clock, gaveUp: readonly { endpointId: string; createdAt: Date }[] = []): Promise<string[]> {
  const now = clock.now();
  const cutoff = new Date(now.getTime() - webhookDeliveryPolicy.retryWindowMs).toISOString();
  // A delivery that gave up after its whole window, to an endpoint that has not succeeded since the delivery's first attempt.
  const exhausted = gaveUp.map((item) => sql`(id = ${item.endpointId}::uuid and failing_since <= ${new Date(item.createdAt.getTime() + 60_000).toISOString()}::timestamptz)`);
  return db.transaction(async (tx) => {
    const rows = await executeRows<{ id: string; url: string; failing_since: Date | string }>(
      tx,
      sql`update webhook_endpoints set status = 'disabled', disabled_at = ${now.toISOString()}::timestamptz, updated_at = ${now.toISOString()}::timestamptz,
            disabled_reason = 'Every delivery failed for 3 days (since ' || to_char(failing_since at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC)'
          where status = 'enabled' and failing_since is not null and (failing_since <= ${cutoff}::timestamptz ${exhausted.length > 0 ? sql`or ${sql.join(exhausted, sql` or `)}` : sql``})
          returning id, url, failing_since`,
    );
    for (const row of rows) {
      await recordAudit(tx, { actor: systemActor("webhooks:deliver"), action: "webhook_endpoint.disable", objectType: "webhook_endpoint", objectId: row.id, reason: "every delivery failed for 3 days", after: { status: "disabled" } });
      await tx.execute(sql`
        insert into notifications (customer_id, kind, payload, dedupe_key)
        values (null, ${webhookEndpointDisabledKind}, ${JSON.stringify({ endpointId: row.id, url: row.url, failingSince: new Date(row.failing_since).toISOString(), disabledAt: now.toISOString() })}::jsonb, ${`${webhookEndpointDisabledKind}:${row.id}:${now.toISOString()}`})
        on conflict (dedupe_key) do nothing`);
    }
    return rows.map((row) => row.id);
  });
}
