import { z } from "zod";
import { subscriptionStatuses } from "@/db/schema";
import { changeSubscription, type ChangeSubscriptionResult } from "@/server/customers/change-subscription";
import { getCustomer } from "@/server/customers/get-customer";
import { getSubscriptionById, listSubscriptionIds } from "@/server/customers/list-subscriptions-page";
import { previewSubscriptionChange, type SubscriptionChangePreview } from "@/server/customers/preview-subscription-change";
import { setSpendLimit } from "@/server/customers/set-spend-limit";
import { loadSubscriptionJson, type SubscriptionJson } from "@/server/customers/subscription-json";
import { getCurrentPlanVersion } from "@/server/catalog/get-current-plan-version";
import type { Db } from "@/db/client";
import { DomainError } from "@/server/errors";
import { startSubscription } from "@/server/workflows/start-subscription";
import { defineOperation } from "../operation";
import { subscriptionChangePreviewSchema, subscriptionChangeSchema, subscriptionSchema } from "../resources";
import { customerParam, listOf, microsString, pageQuery, reason, timestamp } from "../schemas";

const subscriptionPath = z.strictObject({ subscription: z.string().min(1).max(64).meta({ description: "The subscription's id." }) });
const seats = z.number().int().min(1).max(100_000);
const planKey = z.string().min(1).max(64).meta({ description: "A plan's key (GET /api/v1/plans): its current published version.", example: "pro" });
const planVersion = z.uuid().meta({ description: "One published plan version, instead of `plan`." });
const thresholds = z.array(z.number().int().min(1).max(1000)).max(10).meta({ description: "Percentages of the spend limit at which `usage.threshold_reached` is sent (default 50, 80, 100)." });
const timing = z.enum(["now", "period_end"]).meta({ description: "Omit for the policy: upgrades now with proration, downgrades and equal-price changes at period end." });

async function loadJson(db: Db, id: string, at: Date): Promise<SubscriptionJson> {
  const json = await loadSubscriptionJson(db, id, at);
  if (!json) throw new DomainError("not_found", "subscription_not_found", `No subscription has the id "${id}".`);
  return json;
}

async function resolvePlanVersionId(db: Db, body: { plan?: string; plan_version?: string }): Promise<string | undefined> {
  if (body.plan_version) return body.plan_version;
  if (!body.plan) return undefined;
  try {
    return (await getCurrentPlanVersion(db, body.plan)).id;
  } catch (error) {
    if (error instanceof DomainError) throw new DomainError("not_found", "plan_not_found", `${error.message} Check the plan's key (GET /api/v1/plans).`, undefined, { param: "plan" });
    throw error;
  }
}

export const createSubscriptionOperation = defineOperation({
  id: "createSubscription",
  method: "POST",
  path: "/subscriptions",
  scope: "subscriptions:write",
  tag: "Subscriptions",
  summary: "Start a subscription",
  description:
    "One live subscription per customer (409 `subscription_exists`). Without a trial the first period's fee is invoiced at once; with `trial_days` (default: the plan's) the customer is `trialing` until it ends. A `promotion_code` is redeemed in the same transaction: if it is refused, nothing is created (404 `promotion_unknown_code`, 409 `promotion_limit_reached`, 422 `promotion_expired`, ...).",
  errors: [404, 409, 422],
  body: z
    .strictObject({
      customer: customerParam,
      plan: planKey.optional(),
      plan_version: planVersion.optional(),
      seats: seats.default(1),
      trial_days: z.number().int().min(0).max(365).optional(),
      billing_anchor: timestamp.optional().meta({ description: "Now (default) or up to 35 days back; periods repeat from it (Stripe's rule for month ends)." }),
      promotion_code: z.string().min(1).max(100).optional(),
      spend_limit_micros: microsString.nullable().optional(),
      spend_warning_thresholds_percent: thresholds.optional(),
    }),
  responses: { 201: subscriptionSchema },
  handler: async ({ db, clock, actor, body, stripe, concerns }) => {
    const customer = await getCustomer(db, body.customer);
    concerns(customer.id);
    const planVersionId = await resolvePlanVersionId(db, body);
    if (!planVersionId) throw new DomainError("invalid", "parameter_missing", "Name the plan (`plan`, its key) or one of its versions (`plan_version`).", undefined, { param: "plan" });
    const started = await startSubscription(db, await stripe(), actor, clock, {
      customerId: customer.id,
      planVersionId,
      seats: body.seats,
      trialDays: body.trial_days,
      billingAnchor: body.billing_anchor ? new Date(body.billing_anchor) : undefined,
      promotionCode: body.promotion_code,
      spendLimitMicros: body.spend_limit_micros == null ? null : BigInt(body.spend_limit_micros),
      spendWarningThresholdsPercent: body.spend_warning_thresholds_percent,
    });
    return { status: 201 as const, body: await loadJson(db, started.subscription.id, clock.now()) };
  },
});

export const listSubscriptionsOperation = defineOperation({
  id: "listSubscriptions",
  method: "GET",
  path: "/subscriptions",
  scope: "read",
  tag: "Subscriptions",
  summary: "List subscriptions",
  description: "Newest first; `customer` narrows to one customer's subscriptions (their history included).",
  errors: [404],
  query: z.strictObject({ ...pageQuery, customer: customerParam.optional(), status: z.enum(subscriptionStatuses).optional() }),
  responses: { 200: listOf(subscriptionSchema, "SubscriptionList", "A page of subscriptions.") },
  handler: async ({ db, clock, query, concerns }) => {
    const customerId = query.customer ? (await getCustomer(db, query.customer)).id : undefined;
    if (customerId) concerns(customerId);
    const page = await listSubscriptionIds(db, { limit: query.limit, startingAfter: query.starting_after, customerId, status: query.status });
    const now = clock.now();
    const data = await Promise.all(page.ids.map((id) => loadJson(db, id, now)));
    return { status: 200 as const, body: { object: "list" as const, data, has_more: page.hasMore, url: "/api/v1/subscriptions" } };
  },
});

export const getSubscriptionOperation = defineOperation({
  id: "getSubscription",
  method: "GET",
  path: "/subscriptions/{subscription}",
  scope: "read",
  tag: "Subscriptions",
  summary: "Get a subscription",
  errors: [404],
  params: subscriptionPath,
  responses: { 200: subscriptionSchema },
  handler: async ({ db, clock, params, concerns }) => {
    const row = await getSubscriptionById(db, params.subscription);
    concerns(row.customerId);
    return { status: 200 as const, body: await loadJson(db, row.id, clock.now()) };
  },
});

const changeBody = {
  plan: planKey.optional(),
  plan_version: planVersion.optional(),
  seats: seats.optional(),
  timing: timing.optional(),
};

function previewJson(preview: SubscriptionChangePreview) {
  return {
    object: "subscription_change_preview" as const,
    subscription: preview.subscriptionId,
    currency: preview.currency,
    direction: preview.direction,
    timing: preview.timing,
    default_timing: preview.defaultTiming,
    effective_at: preview.effectiveAt.toISOString(),
    from: { plan_key: preview.from.planKey, plan_version_id: preview.from.planVersionId, version: preview.from.version, seats: preview.from.seats, per_period_micros: preview.from.perPeriodMicros.toString() },
    to: { plan_key: preview.to.planKey, plan_version_id: preview.to.planVersionId, version: preview.to.version, seats: preview.to.seats, per_period_micros: preview.to.perPeriodMicros.toString() },
    period: { start: preview.period.start.toISOString(), end: preview.period.end.toISOString() },
    proration_lines: preview.lines.map((line) => ({
      kind: line.kind,
      description: line.description,
      plan_version_id: line.planVersionId,
      quantity: line.quantity,
      unit_amount_cents: Number(line.unitAmountMinor),
      amount_cents: Number(line.amountMinor),
      amount_micros: line.amountMicros.toString(),
    })),
    proration_total_cents: Number(preview.totalMinor),
    proration_total_micros: preview.totalMicros.toString(),
  };
}

async function liveSubscription(db: Db, id: string) {
  const row = await getSubscriptionById(db, id);
  if (row.status === "canceled") throw new DomainError("precondition", "subscription_canceled", "This subscription has ended; start a new one instead.");
  return row;
}

export const previewSubscriptionChangeOperation = defineOperation({
  id: "previewSubscriptionChange",
  method: "POST",
  path: "/subscriptions/{subscription}/preview_change",
  scope: "read",
  tag: "Subscriptions",
  summary: "Preview a plan or seat change",
  description: "The exact proration, line by line, of the change `change` would make now; nothing changes.",
  errors: [404, 422],
  params: subscriptionPath,
  body: z.strictObject(changeBody),
  responses: { 200: subscriptionChangePreviewSchema },
  handler: async ({ db, clock, params, body, concerns }) => {
    const row = await liveSubscription(db, params.subscription);
    concerns(row.customerId);
    const preview = await previewSubscriptionChange(db, null, clock, { customerId: row.customerId, planVersionId: await resolvePlanVersionId(db, body), seats: body.seats, timing: body.timing });
    return { status: 200 as const, body: previewJson(preview) };
  },
});

async function changeAnswer(db: Db, at: Date, result: ChangeSubscriptionResult) {
  return {
    object: "subscription_change" as const,
    status: result.status,
    effective_at: result.effectiveAt.toISOString(),
    invoice: result.invoiceId,
    preview: result.preview && previewJson(result.preview),
    subscription: await loadJson(db, result.subscriptionId, at),
  };
}

export const changeSubscriptionOperation = defineOperation({
  id: "changeSubscription",
  method: "POST",
  path: "/subscriptions/{subscription}/change",
  scope: "subscriptions:write",
  tag: "Subscriptions",
  summary: "Change plan or seats",
  description:
    "By default an upgrade applies now, its proration invoiced at once (Stripe and Tally agree to the cent), and a downgrade or equal-price change applies at the period end; `timing` overrides. A newer change replaces a pending one.",
  errors: [404, 409, 422],
  params: subscriptionPath,
  body: z.strictObject({ ...changeBody, reason }),
  responses: { 200: subscriptionChangeSchema },
  handler: async ({ db, clock, actor, key, params, body, stripe, concerns }) => {
    const row = await liveSubscription(db, params.subscription);
    concerns(row.customerId);
    const result = await changeSubscription(db, await stripe(), actor, clock, {
      action: "change",
      customerId: row.customerId,
      planVersionId: await resolvePlanVersionId(db, body),
      seats: body.seats,
      timing: body.timing,
      reason: body.reason ?? `API key ${key.name}`,
    });
    return { status: 200 as const, body: await changeAnswer(db, clock.now(), result) };
  },
});

export const cancelSubscriptionOperation = defineOperation({
  id: "cancelSubscription",
  method: "POST",
  path: "/subscriptions/{subscription}/cancel",
  scope: "subscriptions:write",
  tag: "Subscriptions",
  summary: "Cancel now or at period end",
  description: "`at: period_end` (default) keeps the subscription until the period ends (resume undoes it); `at: now` ends it at once, without proration.",
  errors: [404, 422],
  params: subscriptionPath,
  body: z.strictObject({ at: z.enum(["now", "period_end"]).default("period_end"), reason }),
  responses: { 200: subscriptionChangeSchema },
  handler: async ({ db, clock, actor, key, params, body, stripe, concerns }) => {
    const row = await liveSubscription(db, params.subscription);
    concerns(row.customerId);
    const result = await changeSubscription(db, await stripe(), actor, clock, { action: "cancel", customerId: row.customerId, at: body.at, reason: body.reason ?? `API key ${key.name}` });
    return { status: 200 as const, body: await changeAnswer(db, clock.now(), result) };
  },
});

export const resumeSubscriptionOperation = defineOperation({
  id: "resumeSubscription",
  method: "POST",
  path: "/subscriptions/{subscription}/resume",
  scope: "subscriptions:write",
  tag: "Subscriptions",
  summary: "Resume a subscription set to cancel at period end",
  errors: [404, 422],
  params: subscriptionPath,
  body: z.strictObject({ reason }),
  responses: { 200: subscriptionChangeSchema },
  handler: async ({ db, clock, actor, key, params, body, stripe, concerns }) => {
    const row = await liveSubscription(db, params.subscription);
    concerns(row.customerId);
    const result = await changeSubscription(db, await stripe(), actor, clock, { action: "resume", customerId: row.customerId, reason: body.reason ?? `API key ${key.name}` });
    return { status: 200 as const, body: await changeAnswer(db, clock.now(), result) };
  },
});

export const setSpendLimitOperation = defineOperation({
  id: "setSpendLimit",
  method: "POST",
  path: "/subscriptions/{subscription}/spend_limit",
  scope: "subscriptions:write",
  tag: "Subscriptions",
  summary: "Set or remove the spend limit",
  description: "A hard limit on usage-based charges per period (null removes it); past it, metered features are blocked. `usage.threshold_reached` is sent at each warning threshold, once per period.",
  errors: [404, 422],
  params: subscriptionPath,
  body: z.strictObject({ spend_limit_micros: microsString.nullable(), warning_thresholds_percent: thresholds.optional(), reason }),
  responses: { 200: subscriptionSchema },
  handler: async ({ db, clock, actor, key, params, body, concerns }) => {
    const row = await liveSubscription(db, params.subscription);
    concerns(row.customerId);
    await setSpendLimit(db, actor, clock, {
      customerId: row.customerId,
      spendLimitMicros: body.spend_limit_micros === null ? null : BigInt(body.spend_limit_micros),
      warningThresholdsPercent: body.warning_thresholds_percent,
      reason: body.reason ?? `API key ${key.name}`,
    });
    return { status: 200 as const, body: await loadJson(db, row.id, clock.now()) };
  },
});
