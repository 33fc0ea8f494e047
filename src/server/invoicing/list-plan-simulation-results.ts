import { and, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { planSimulationResults } from "@/db/schema";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import { escapeLike } from "@/server/lib/like-pattern";

export const simulationResultSortKeys = ["difference", "magnitude", "customer", "current", "proposed"] as const;
export type SimulationResultSortKey = (typeof simulationResultSortKeys)[number];

export const simulationResultChanges = ["increase", "decrease", "unchanged"] as const;
export type SimulationResultChange = (typeof simulationResultChanges)[number];

export type ListPlanSimulationResultsInput = {
  runId: string;
  /** Customers who would pay more, less, or the same. */
  change?: SimulationResultChange;
  /** Part of the customer's name or external id, any case. */
  search?: string;
  /** Default `magnitude` descending: the largest changes either way first. */
  sort?: SimulationResultSortKey;
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

export type PlanSimulationResultRow = {
  subscriptionId: string;
  customerId: string;
  customerName: string;
  customerExternalId: string;
  periodStart: Date;
  periodEnd: Date;
  currentMicros: bigint;
  proposedMicros: bigint;
  differenceMicros: bigint;
};

const rowsMax = 1000;

const sorts: Record<SimulationResultSortKey, KeysetSort> = {
  difference: { expression: sql`${planSimulationResults.differenceMicros}`, type: "bigint" },
  magnitude: { expression: sql`abs(${planSimulationResults.differenceMicros})`, type: "bigint" },
  customer: { expression: sql`lower(${planSimulationResults.customerName})`, type: "text" },
  current: { expression: sql`${planSimulationResults.currentMicros}`, type: "bigint" },
  proposed: { expression: sql`${planSimulationResults.proposedMicros}`, type: "bigint" },
};

const changeFilters: Record<SimulationResultChange, SQL> = {
  increase: sql`${planSimulationResults.differenceMicros} > 0`,
  decrease: sql`${planSimulationResults.differenceMicros} < 0`,
  unchanged: sql`${planSimulationResults.differenceMicros} = 0`,
};

/**
 * One run's per-customer results, keyset-paged on `(run, sort, subscription)` (an index per sort),
 * filtered by the direction of the change and a customer: every result is reachable, where the
 * panel used to show the ten largest.
 */
export async function listPlanSimulationResults(db: Db, input: ListPlanSimulationResultsInput): Promise<{ items: PlanSimulationResultRow[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  const sortKey = input.sort ?? "magnitude";
  const direction = input.direction ?? (input.sort ? "asc" : "desc");
  const plan = keysetPlan({
    sortKey,
    sort: sorts[sortKey],
    direction,
    id: sql`${planSimulationResults.subscriptionId}`,
    idType: "uuid",
    cursor: input.cursor,
    fixed: { column: sql`${planSimulationResults.runId}`, value: input.runId },
  });
  const filters: SQL[] = [];
  if (input.change) filters.push(changeFilters[input.change]);
  const search = input.search?.trim();
  if (search) {
    const part = `%${escapeLike(search)}%`;
    filters.push(sql`(${planSimulationResults.customerName} ilike ${part} or ${planSimulationResults.customerExternalId} ilike ${part})`);
  }
  if (plan.where) filters.push(plan.where);
  const rows = await db
    .select({
      subscriptionId: planSimulationResults.subscriptionId,
      customerId: planSimulationResults.customerId,
      customerName: planSimulationResults.customerName,
      customerExternalId: planSimulationResults.customerExternalId,
      periodStart: planSimulationResults.periodStart,
      periodEnd: planSimulationResults.periodEnd,
      currentMicros: planSimulationResults.currentMicros,
      proposedMicros: planSimulationResults.proposedMicros,
      differenceMicros: planSimulationResults.differenceMicros,
      cursorValue: sql<string>`(${sorts[sortKey].expression})::text`,
    })
    .from(planSimulationResults)
    .where(and(...filters))
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursorValue, id: row.subscriptionId }) });
  return { items: page.items.map(({ cursorValue: _cursorValue, ...row }) => row), nextCursor: page.nextCursor };
}
