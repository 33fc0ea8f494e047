import { z } from "zod";
import { listMeters } from "@/server/catalog/list-meters";
import { authorizedProcedure } from "@/server/api/trpc";

export const catalogSearchInput = z.object({ search: z.string().trim().max(100).optional() }).optional();

export const meterList = authorizedProcedure("catalog.read")
  .input(catalogSearchInput)
  .query(({ ctx, input }) => listMeters(ctx.db, { search: input?.search }));
