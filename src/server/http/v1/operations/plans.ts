import { z } from "zod";
import { listPlans } from "@/server/catalog/list-plans";
import { getPlanVersion } from "@/server/catalog/get-plan-version";
import { centsOf } from "@/lib/money-units";
import { defineOperation } from "../operation";
import { cents, currency, listOf, microsString } from "../schemas";

const planSchema = z
  .strictObject({
    object: z.literal("plan"),
    key: z.string().meta({ description: "What `plan` names when starting or changing a subscription." }),
    name: z.string(),
    description: z.string(),
    current_version: z.strictObject({
      id: z.uuid(),
      version: z.number().int(),
      currency,
      interval: z.enum(["month", "year"]),
      base_fee_per_seat_micros: microsString,
      base_fee_per_seat_cents: cents,
      trial_days: z.number().int(),
    }),
  })
  .meta({ id: "Plan", description: "A plan customers can subscribe to now (its latest published version)." });

export const listPlansOperation = defineOperation({
  id: "listPlans",
  method: "GET",
  path: "/plans",
  scope: "read",
  tag: "Plans",
  summary: "List the plans customers can subscribe to",
  description: "For the product's plan picker: every plan with a published version, by key.",
  errors: [],
  query: z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(50), starting_after: z.string().min(1).max(64).optional().meta({ description: "The key of the last plan of the previous page." }) }),
  responses: { 200: listOf(planSchema, "PlanList", "A page of plans.") },
  handler: async ({ db, query }) => {
    const page = await listPlans(db, { limit: query.limit, afterKey: query.starting_after });
    const data = [];
    for (const plan of page.plans) {
      if (!plan.currentVersionId) continue;
      const version = await getPlanVersion(db, plan.currentVersionId);
      data.push({
        object: "plan" as const,
        key: plan.key,
        name: plan.name,
        description: plan.description,
        current_version: {
          id: version.id,
          version: version.version,
          currency: version.currency,
          interval: version.billingInterval,
          base_fee_per_seat_micros: version.baseFeePerSeatMicros.toString(),
          base_fee_per_seat_cents: centsOf(version.baseFeePerSeatMicros),
          trial_days: version.trialDays,
        },
      });
    }
    return { status: 200 as const, body: { object: "list" as const, data, has_more: page.nextAfterKey !== null, url: "/api/v1/plans" } };
  },
});
