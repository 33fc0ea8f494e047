import { z } from "zod";
import { getDatabaseForHotReads } from "@/db/client";
import { meterAggregations, reservationStatuses } from "@/db/schema";
import { consumeReservation } from "@/server/entitlements/consume-reservation";
import { entitlementDecisionJson } from "@/server/entitlements/entitlement-json";
import { listEntitlements } from "@/server/entitlements/list-entitlements";
import { releaseReservation } from "@/server/entitlements/release-reservation";
import { DomainError } from "@/server/errors";
import { getCustomerUsage } from "@/server/metering/get-customer-usage";
import { redeemPromotionRequest } from "@/server/promotions/redeem-promotion-request";
import { decisionSchema, spendSchema } from "../../endpoints/check-entitlement-endpoint";
import { defineOperation } from "../operation";
import { customerParam, decimalString, timestamp } from "../schemas";

export const listCustomerEntitlements = defineOperation({
  id: "listCustomerEntitlements",
  method: "GET",
  path: "/customers/{customer}/entitlements",
  scope: "entitlements",
  tag: "Entitlements",
  summary: "Every feature of a customer",
  errors: [404],
  params: z.strictObject({ customer: customerParam }),
  responses: {
    200: z
      .strictObject({
        customer: z.string(),
        subscription: z.strictObject({ status: z.string(), planKey: z.string(), planName: z.string(), planVersion: z.number().int(), currency: z.string(), spendWarningThresholdsPercent: z.array(z.number().int()) }).nullable(),
        restriction: z.strictObject({ scope: z.string(), reason: z.string() }).nullable(),
        period: z.strictObject({ start: timestamp, end: timestamp }).nullable(),
        spendLimit: spendSchema.nullable(),
        features: z.array(decisionSchema),
      })
      .meta({ id: "CustomerEntitlements" }),
  },
  handler: async ({ params }) => {
    const list = await listEntitlements(await getDatabaseForHotReads(), { externalId: params.customer });
    return {
      status: 200 as const,
      body: {
        customer: list.externalId,
        subscription: list.subscription,
        restriction: list.restriction,
        period: list.period && { start: list.period.start.toISOString(), end: list.period.end.toISOString() },
        spendLimit: list.spendLimit && { limitMicros: list.spendLimit.limitMicros.toString(), usedMicros: list.spendLimit.usedMicros.toString() },
        features: list.features.map(entitlementDecisionJson) as never,
      },
    };
  },
});

const reservationPath = z.strictObject({ id: z.uuid().meta({ description: "The reservation's id (`reservationId` of a check)." }) });
const reservationAnswer = z
  .strictObject({ status: z.string().meta({ description: "What this call did, e.g. `consumed`, `released`, `already_consumed`." }), reservationId: z.uuid(), reservationStatus: z.enum(reservationStatuses) })
  .meta({ id: "ReservationOutcome" });

export const consumeReservationOperation = defineOperation({
  id: "consumeReservation",
  method: "POST",
  path: "/entitlements/reservations/{id}/consume",
  scope: "entitlements",
  tag: "Entitlements",
  summary: "Settle a reservation as used",
  description: "For clients that cannot tag their usage events with `data.reservation_id` (which consumes holds automatically).",
  errors: [404],
  params: reservationPath,
  body: z.strictObject({ quantity: decimalString.optional() }),
  responses: { 200: reservationAnswer },
  handler: async ({ db, params, body }) => {
    const result = await consumeReservation(db, params.id, body.quantity ?? null);
    if (result.status === "not_found") throw new DomainError("not_found", "reservation_not_found", "No reservation has that id.");
    return { status: 200 as const, body: { status: result.status, reservationId: result.reservation.id, reservationStatus: result.reservation.status } };
  },
});

export const releaseReservationOperation = defineOperation({
  id: "releaseReservation",
  method: "POST",
  path: "/entitlements/reservations/{id}/release",
  scope: "entitlements",
  tag: "Entitlements",
  summary: "Give an unused reservation back now",
  errors: [404],
  params: reservationPath,
  body: z.strictObject({}),
  responses: { 200: reservationAnswer },
  handler: async ({ db, params }) => {
    const result = await releaseReservation(db, params.id);
    if (result.status === "not_found") throw new DomainError("not_found", "reservation_not_found", "No reservation has that id.");
    return { status: 200 as const, body: { status: result.status, reservationId: result.reservation.id, reservationStatus: result.reservation.status } };
  },
});

export const getCustomerUsageOperation = defineOperation({
  id: "getCustomerUsage",
  method: "GET",
  path: "/customers/{customer}/usage",
  scope: "read",
  tag: "Usage",
  summary: "A customer's usage of one meter",
  description: "From the hourly rollups (seconds behind ingestion). `from`/`to` are whole UTC hours; the range is bounded by the window (31 days hourly, 400 daily, 1,830 monthly).",
  errors: [404],
  params: z.strictObject({ customer: customerParam }),
  query: z.strictObject({
    meter: z.string().min(1).max(64),
    from: timestamp,
    to: timestamp,
    window: z.enum(["hour", "day", "month"]).default("day"),
    groupBy: z.union([z.string().max(1000), z.array(z.string().max(200)).max(5)]).optional().meta({ description: "Dimensions to group by, comma-separated or repeated." }),
  }),
  responses: {
    200: z
      .strictObject({
        meter: z.strictObject({ key: z.string(), aggregation: z.enum(meterAggregations), unit: z.string() }),
        externalId: z.string(),
        from: timestamp,
        to: timestamp,
        window: z.enum(["hour", "day", "month"]),
        groupBy: z.array(z.string()),
        data: z.array(z.strictObject({ windowStart: timestamp, dimensions: z.record(z.string(), z.string().nullable()), value: decimalString.nullable() })),
        totals: z.array(z.strictObject({ dimensions: z.record(z.string(), z.string().nullable()), value: decimalString.nullable() })),
      })
      .meta({ id: "CustomerUsage" }),
  },
  handler: async ({ db, params, query }) => {
    const groupBy = (Array.isArray(query.groupBy) ? query.groupBy : query.groupBy ? [query.groupBy] : []).flatMap((value) => value.split(",")).map((value) => value.trim()).filter(Boolean);
    const usage = await getCustomerUsage(db, { externalId: params.customer, meterKey: query.meter, from: query.from, to: query.to, window: query.window, groupBy });
    return { status: 200 as const, body: JSON.parse(JSON.stringify(usage)) };
  },
});

export const redeemPromotionOperation = defineOperation({
  id: "redeemPromotionCode",
  method: "POST",
  path: "/promotions/redeem",
  scope: "entitlements",
  tag: "Promotions",
  summary: "Redeem a promotion code for a customer",
  description: "404 `unknown_code`; 409 `limit_reached` / `already_redeemed`; 422 `expired` / `not_active` / `not_eligible`.",
  errors: [404, 409, 422],
  body: z.strictObject({ customer: z.string().trim().min(1).max(200).meta({ description: "The customer's external id." }), code: z.string().max(100), idempotencyKey: z.string().min(1).max(180).optional() }),
  responses: {
    200: z
      .strictObject({
        redeemed: z.literal(true),
        promotion: z.string(),
        redemption: z.strictObject({ id: z.uuid(), customer: z.string(), redeemedAt: timestamp }),
        effect: z.record(z.string(), z.unknown()).meta({ description: "What it gave: `credit`, `discount` or `allowance`, with amounts as strings." }),
      })
      .meta({ id: "Redemption" }),
  },
  handler: async ({ db, clock, actor, body }) => {
    const response = await redeemPromotionRequest(db, actor, clock, body);
    if (response.status !== 200) {
      const { error } = response.body as { error: { code: string; message: string } };
      const kind = response.status === 404 ? "not_found" : response.status === 409 ? "conflict" : "precondition";
      throw new DomainError(kind, error.code, error.message, undefined, { param: "code" });
    }
    return { status: 200 as const, body: response.body as never };
  },
});
