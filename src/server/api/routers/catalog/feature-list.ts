import { listFeatures } from "@/server/catalog/list-features";
import { authorizedProcedure } from "../../trpc";

export const featureList = authorizedProcedure("catalog.read").query(({ ctx }) => listFeatures(ctx.db));
