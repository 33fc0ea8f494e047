import { createTRPCRouter } from "../../trpc";
import { list } from "./list";

export const entitlementRouter = createTRPCRouter({ list });
