import { and, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { plans, type Plan } from "@/db/schema";
import { keysetPage, keysetPlan, type KeysetDirection, type KeysetSort } from "@/server/lib/keyset";
import { listPlanVersionSummaries, type PlanVersionSummary } from "./list-plans";
import { searchPattern } from "./list-meters";

export const planSortKeys = ["key", "name", "created"] as const;
export type PlanSortKey = (typeof planSortKeys)[number];

/**
 * A plan's state from its versions: `published` (customers can subscribe to a version), `draft`
 * (none published yet, a draft is being prepared), `archived` (every version archived), `empty`
 * (no version yet).
 */
export const planStates = ["published", "draft", "archived", "empty"] as const;
export type PlanState = (typeof planStates)[number];

export type PlanListRow = Plan & { versions: PlanVersionSummary[]; currentVersionId: string | null; state: PlanState };

export type ListPlansViewInput = {
  /** Part of the key or name, any case. */
  search?: string;
  state?: PlanState;
  /** Default `key` ascending. */
  sort?: PlanSortKey;
  direction?: KeysetDirection;
  cursor?: string;
  limit: number;
};

const rowsMax = 1000;

const sorts: Record<PlanSortKey, KeysetSort> = {
  key: { expression: sql`${plans.key}`, type: "text" },
  name: { expression: sql`${plans.name}`, type: "text" },
  created: { expression: sql`${plans.createdAt}`, type: "timestamptz" },
};

const hasVersion = (status?: string) =>
  sql`exists (select 1 from catalog_plan_versions v where v.plan_id = ${plans.id}${status ? sql` and v.status = ${status}` : sql``})`;

const stateFilters: Record<PlanState, SQL> = {
  published: hasVersion("published"),
  draft: sql`not ${hasVersion("published")} and ${hasVersion("draft")}`,
  archived: sql`${hasVersion()} and not ${hasVersion("published")} and not ${hasVersion("draft")}`,
  empty: sql`not ${hasVersion()}`,
};

function stateOf(versions: readonly PlanVersionSummary[]): PlanState {
  if (versions.some((version) => version.status === "published")) return "published";
  if (versions.some((version) => version.status === "draft")) return "draft";
  return versions.length > 0 ? "archived" : "empty";
}

/**
 * Every plan for the console: by key, name or creation, filtered by state (from its versions) and
 * key or name, keyset-paged on `(sort, id)` through the `(key)`, `(name, id)` and `(created_at, id)`
 * indexes; each with its versions, newest first.
 */
export async function listPlansView(db: Db, input: ListPlansViewInput): Promise<{ items: PlanListRow[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, input.limit), rowsMax);
  const sortKey = input.sort ?? "key";
  const direction = input.direction ?? "asc";
  const plan = keysetPlan({ sortKey, sort: sorts[sortKey], direction, id: sql`${plans.id}`, idType: "uuid", cursor: input.cursor });
  const filters: SQL[] = [];
  const pattern = searchPattern(input.search);
  if (pattern) filters.push(or(sql`${plans.key} ilike ${pattern}`, sql`${plans.name} ilike ${pattern}`)!);
  if (input.state) filters.push(stateFilters[input.state]);
  if (plan.where) filters.push(plan.where);
  const rows = await db
    .select({ plan: plans, cursorValue: sql<string>`(${sorts[sortKey].expression})::text` })
    .from(plans)
    .where(filters.length > 0 ? and(...filters) : undefined)
    .orderBy(...plan.orderBy)
    .limit(limit + 1);
  const page = keysetPage(rows, limit, { sortKey, direction, key: (row) => ({ value: row.cursorValue, id: row.plan.id }) });
  const versions = await listPlanVersionSummaries(db, page.items.map((row) => row.plan.id));
  return {
    items: page.items.map(({ plan: row }) => {
      const own = versions.filter((version) => version.planId === row.id).map(({ planId: _planId, ...summary }) => summary);
      return { ...row, versions: own, currentVersionId: own.find((version) => version.status === "published")?.id ?? null, state: stateOf(own) };
    }),
    nextCursor: page.nextCursor,
  };
}
