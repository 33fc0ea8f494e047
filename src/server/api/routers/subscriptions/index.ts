import { createTRPCRouter } from "../../trpc";
import { create } from "./create";
import { get } from "./get";
import { list } from "./list";
import { setSpendLimitProcedure } from "./set-spend-limit";

export const subscriptionRouter = createTRPCRouter({ get, list, create, setSpendLimit: setSpendLimitProcedure });
