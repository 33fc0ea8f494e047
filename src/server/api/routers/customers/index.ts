import { createTRPCRouter } from "../../trpc";
import { get } from "./get";
import { list } from "./list";
import { timeline } from "./timeline";
import { update } from "./update";

export const customerRouter = createTRPCRouter({ list, get, update, timeline });
