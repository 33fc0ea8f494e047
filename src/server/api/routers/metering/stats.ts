import { z } from "zod";
import { getIngestionStats } from "@/server/metering/get-ingestion-stats";
import { listIngestionRate } from "@/server/metering/list-ingestion-rate";
import { authorizedProcedure } from "../../trpc";

export const ingestionRanges = ["hour", "day", "week"] as const;

/** Each range's length and chart bucket, so every chart has 60–100 points. */
const rangeShape = {
  hour: { lengthMinutes: 60, bucketMinutes: 1 },
  day: { lengthMinutes: 24 * 60, bucketMinutes: 15 },
  week: { lengthMinutes: 7 * 24 * 60, bucketMinutes: 120 },
} as const satisfies Record<(typeof ingestionRanges)[number], { lengthMinutes: number; bucketMinutes: number }>;

/** Ingestion and metering lag over the last hour, day or week, with events per minute for a chart. */
export const stats = authorizedProcedure("metering.read")
  .input(z.object({ range: z.enum(ingestionRanges).default("hour") }))
  .query(async ({ ctx, input }) => {
    const shape = rangeShape[input.range];
    const until = ctx.clock.now();
    const since = new Date(until.getTime() - shape.lengthMinutes * 60_000);
    const [totals, rate] = await Promise.all([
      getIngestionStats(ctx.db, { since, clock: ctx.clock }),
      listIngestionRate(ctx.db, { since, until, bucketMinutes: shape.bucketMinutes }),
    ]);
    return { range: input.range, bucketMinutes: shape.bucketMinutes, totals, rate };
  });
