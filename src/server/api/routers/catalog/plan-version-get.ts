import { z } from "zod";
import { getPlanVersion } from "@/server/catalog/get-plan-version";
import { authorizedProcedure } from "../../trpc";

export const planVersionGet = authorizedProcedure("catalog.read")
  .input(z.object({ planVersionId: z.uuid() }))
  .query(({ ctx, input }) => getPlanVersion(ctx.db, input.planVersionId));
