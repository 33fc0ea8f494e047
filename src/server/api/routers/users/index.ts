import { createTRPCRouter } from "../../trpc";
import { create } from "./create";
import { listView } from "./list-view";
import { update } from "./update";

export const userRouter = createTRPCRouter({ listView, create, update });
