import { z } from "zod";
import { actOnAnomaly } from "@/server/anomalies/act-on-anomaly";
import { authorizedProcedure } from "../../trpc";

const reason = z.string().trim().min(3, "Say why (at least 3 characters).").max(1000);
const id = z.uuid();
const act = authorizedProcedure("anomalies.act");

export const acknowledge = act.input(z.object({ id })).mutation(({ ctx, input }) => actOnAnomaly(ctx.db, ctx.actor, ctx.clock, { anomalyId: input.id, action: "acknowledge" }));
export const assign = act
  .input(z.object({ id, assigneeId: z.union([z.uuid(), z.literal("me")]) }))
  .mutation(({ ctx, input }) => actOnAnomaly(ctx.db, ctx.actor, ctx.clock, { anomalyId: input.id, action: "assign", assigneeId: input.assigneeId === "me" ? ctx.user.id : input.assigneeId }));
export const unassign = act.input(z.object({ id })).mutation(({ ctx, input }) => actOnAnomaly(ctx.db, ctx.actor, ctx.clock, { anomalyId: input.id, action: "unassign" }));
export const note = act
  .input(z.object({ id, note: z.string().trim().min(1, "Write a note.").max(5000) }))
  .mutation(({ ctx, input }) => actOnAnomaly(ctx.db, ctx.actor, ctx.clock, { anomalyId: input.id, action: "note", note: input.note }));
export const resolve = act.input(z.object({ id, reason })).mutation(({ ctx, input }) => actOnAnomaly(ctx.db, ctx.actor, ctx.clock, { anomalyId: input.id, action: "resolve", reason: input.reason }));
export const dismiss = act.input(z.object({ id, reason })).mutation(({ ctx, input }) => actOnAnomaly(ctx.db, ctx.actor, ctx.clock, { anomalyId: input.id, action: "dismiss", reason: input.reason }));
export const reopen = act.input(z.object({ id, reason })).mutation(({ ctx, input }) => actOnAnomaly(ctx.db, ctx.actor, ctx.clock, { anomalyId: input.id, action: "reopen", reason: input.reason }));
