import { asc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { anomalies, anomalyActivity, customers, users, type AnomalyActivity } from "@/db/schema";
import { DomainError } from "@/server/errors";
import type { AnomalyListItem } from "./list-anomalies";

export type AnomalyDetail = AnomalyListItem & { activity: AnomalyActivity[] };

const activityMax = 500;

/** One anomaly with its customer, assignee and what happened to it, oldest first. */
export async function getAnomaly(db: Db, id: string): Promise<AnomalyDetail> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw notFound();
  const [row] = await db
    .select({ anomaly: anomalies, customer: { id: customers.id, externalId: customers.externalId, name: customers.name }, assignee: { id: users.id, name: users.name, email: users.email } })
    .from(anomalies)
    .leftJoin(customers, eq(customers.id, anomalies.customerId))
    .leftJoin(users, eq(users.id, anomalies.assigneeId))
    .where(eq(anomalies.id, id))
    .limit(1);
  if (!row) throw notFound();
  const activity = await db.select().from(anomalyActivity).where(eq(anomalyActivity.anomalyId, id)).orderBy(asc(anomalyActivity.occurredAt), asc(anomalyActivity.id)).limit(activityMax);
  return { ...row.anomaly, customer: row.customer?.id ? row.customer : null, assignee: row.assignee?.id ? row.assignee : null, activity };
}

function notFound(): DomainError {
  return new DomainError("not_found", "anomaly_not_found", "No such anomaly.");
}
