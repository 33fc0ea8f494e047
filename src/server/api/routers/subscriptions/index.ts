import { createTRPCRouter } from "../../trpc";
import { change } from "./change";
import { create } from "./create";
import { get } from "./get";
import { list } from "./list";
import { previewChange } from "./preview-change";
import { setSpendLimitProcedure } from "./set-spend-limit";

export const subscriptionRouter = createTRPCRouter({ get, list, create, setSpendLimit: setSpendLimitProcedure, previewChange, change });
