import { listFeatures } from "@/server/catalog/list-features";
import { authorizedProcedure } from "@/server/api/trpc";
import { catalogSearchInput } from "./meter-list";

export const featureList = authorizedProcedure("catalog.read")
  .input(catalogSearchInput)
  .query(({ ctx, input }) => listFeatures(ctx.db, { search: input?.search }));
