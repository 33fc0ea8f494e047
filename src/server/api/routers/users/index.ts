import { createTRPCRouter } from "../../trpc";
import { create } from "./create";
import { list } from "./list";
import { update } from "./update";

export const userRouter = createTRPCRouter({ list, create, update });
