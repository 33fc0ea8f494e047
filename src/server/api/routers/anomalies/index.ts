import { z } from "zod";
import { listAssignableUsers } from "@/server/anomalies/act-on-anomaly";
import { getAnomaly } from "@/server/anomalies/get-anomaly";
import { getAnomalyChart } from "@/server/anomalies/get-anomaly-chart";
import { countAnomaliesByStatus } from "@/server/anomalies/list-anomalies";
import { listAnomalySettings, updateAnomalySetting, updateAnomalySettingInput } from "@/server/anomalies/settings";
import { authorizedProcedure, createTRPCRouter } from "../../trpc";
import { acknowledge, assign, dismiss, note, reopen, resolve, unassign } from "./actions";
import { list, listView } from "./list";

/** The anomaly queue and an anomaly's investigation: `anomaly.list`, `anomaly.get`, `anomaly.resolve`... */
export const anomalyRouter = createTRPCRouter({
  list,
  listView,
  get: authorizedProcedure("anomalies.read")
    .input(z.object({ id: z.uuid() }))
    .query(({ ctx, input }) => getAnomaly(ctx.db, input.id)),
  chart: authorizedProcedure("anomalies.read")
    .input(z.object({ id: z.uuid() }))
    .query(async ({ ctx, input }) => {
      const anomaly = await getAnomaly(ctx.db, input.id);
      return getAnomalyChart(ctx.db, anomaly, anomaly.customer?.externalId ?? null);
    }),
  counts: authorizedProcedure("anomalies.read")
    .input(z.object({ customerId: z.uuid().optional() }).optional())
    .query(({ ctx, input }) => countAnomaliesByStatus(ctx.db, { customerId: input?.customerId })),
  assignees: authorizedProcedure("anomalies.read")
    .input(z.object({}).optional())
    .query(({ ctx }) => listAssignableUsers(ctx.db)),
  settings: authorizedProcedure("anomalies.read")
    .input(z.object({}).optional())
    .query(({ ctx }) => listAnomalySettings(ctx.db)),
  updateSetting: authorizedProcedure("anomalies.configure")
    .input(updateAnomalySettingInput)
    .mutation(({ ctx, input }) => updateAnomalySetting(ctx.db, ctx.actor, ctx.clock, input)),
  acknowledge,
  assign,
  unassign,
  note,
  resolve,
  dismiss,
  reopen,
});
