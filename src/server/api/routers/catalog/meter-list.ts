import { listMeters } from "@/server/catalog/list-meters";
import { authorizedProcedure } from "../../trpc";

export const meterList = authorizedProcedure("catalog.read").query(({ ctx }) => listMeters(ctx.db));
