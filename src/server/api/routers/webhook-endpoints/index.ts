import { z } from "zod";
import { listWebhookDeliveriesView } from "@/server/webhooks/list-webhook-deliveries-view";
import { listAutoDisabledEndpoints, listWebhookEndpointsView } from "@/server/webhooks/list-webhook-endpoints-view";
import { webhookDeliveriesView, webhookEndpointsView } from "../../lists/webhook-lists";
import { createWebhookEndpoint, describeEndpoint, getWebhookEndpoint, updateWebhookEndpoint } from "@/server/webhooks/manage-webhook-endpoints";
import { replayWebhookDelivery } from "@/server/webhooks/replay-webhook-delivery";
import { webhookEventTypes } from "@/server/webhooks/webhook-event-types";
import { createTRPCRouter, authorizedProcedure } from "../../trpc";

const reason = z.string().trim().min(3, "Say why (at least 3 characters).").max(500);
const eventTypes = z.array(z.union([z.literal("*"), z.enum(webhookEventTypes)])).min(1, "Choose at least one event type.").max(50);

/** Admin → Webhooks out: the product's endpoints, their delivery logs, replays. */
export const webhookEndpointRouter = createTRPCRouter({
  listView: authorizedProcedure("webhooks.manage")
    .input(webhookEndpointsView.extend({ limit: z.number().int().min(1).max(200).default(50) }))
    .query(({ ctx, input }) => listWebhookEndpointsView(ctx.db, input)),
  autoDisabled: authorizedProcedure("webhooks.manage").query(({ ctx }) => listAutoDisabledEndpoints(ctx.db)),
  get: authorizedProcedure("webhooks.manage")
    .input(z.object({ id: z.uuid() }))
    .query(async ({ ctx, input }) => describeEndpoint(await getWebhookEndpoint(ctx.db, input.id))),
  revealSecret: authorizedProcedure("webhooks.manage")
    .input(z.object({ id: z.uuid() }))
    .mutation(async ({ ctx, input }) => ({ secret: (await getWebhookEndpoint(ctx.db, input.id)).secret })),
  create: authorizedProcedure("webhooks.manage")
    .input(z.object({ url: z.string().trim().min(1).max(2000), description: z.string().trim().max(500).default(""), eventTypes, reason }))
    .mutation(async ({ ctx, input }) => {
      const endpoint = await createWebhookEndpoint(ctx.db, ctx.actor, ctx.clock, input);
      return { ...describeEndpoint(endpoint), secret: endpoint.secret };
    }),
  update: authorizedProcedure("webhooks.manage")
    .input(z.object({ id: z.uuid(), url: z.string().trim().min(1).max(2000).optional(), description: z.string().trim().max(500).optional(), eventTypes: eventTypes.optional(), status: z.enum(["enabled", "disabled"]).optional(), rotateSecret: z.boolean().optional(), reason }))
    .mutation(async ({ ctx, input }) => describeEndpoint(await updateWebhookEndpoint(ctx.db, ctx.actor, ctx.clock, { ...input, endpointId: input.id }))),
  deliveriesView: authorizedProcedure("webhooks.manage")
    .input(webhookDeliveriesView.extend({ limit: z.number().int().min(1).max(100).default(20) }))
    .query(({ ctx, input }) => listWebhookDeliveriesView(ctx.db, { ...input, endpointId: input.endpoint })),
  replay: authorizedProcedure("webhooks.manage")
    .input(z.object({ deliveryId: z.uuid(), reason }))
    .mutation(async ({ ctx, input }) => {
      const result = await replayWebhookDelivery(ctx.db, ctx.actor, ctx.clock, input);
      return { ok: result.ok, statusCode: result.statusCode, error: result.error, durationMs: result.durationMs };
    }),
});
