import { asc, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { dunningCases, dunningEvents, entitlementRestrictions, type DunningCase, type DunningEvent, type EntitlementRestriction } from "@/db/schema";

export type CustomerDunningView = {
  cases: (DunningCase & { events: DunningEvent[] })[];
  restriction: EntitlementRestriction | null;
};

const casesMax = 20;
const eventsPerCaseMax = 200;

/** The customer's recent dunning cases (newest first) with their timelines, and the current restriction. */
export async function getCustomerDunning(db: Db, customerId: string): Promise<CustomerDunningView> {
  const cases = await db.select().from(dunningCases).where(eq(dunningCases.customerId, customerId)).orderBy(desc(dunningCases.createdAt)).limit(casesMax);
  const events = cases.length === 0 ? [] : await db.select().from(dunningEvents).where(inArray(dunningEvents.caseId, cases.map((row) => row.id))).orderBy(asc(dunningEvents.occurredAt), asc(dunningEvents.createdAt));
  const [restriction] = await db.select().from(entitlementRestrictions).where(eq(entitlementRestrictions.customerId, customerId));
  return {
    cases: cases.map((row) => ({ ...row, events: events.filter((event) => event.caseId === row.id).slice(-eventsPerCaseMax) })),
    restriction: restriction ?? null,
  };
}
