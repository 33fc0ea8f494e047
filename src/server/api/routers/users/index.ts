import { createTRPCRouter } from "../../trpc";
import { create } from "./create";
import { list } from "./list";
import { listView } from "./list-view";
import { update } from "./update";

export const userRouter = createTRPCRouter({ list, listView, create, update });
