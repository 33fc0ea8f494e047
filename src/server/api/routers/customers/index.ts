import { createTRPCRouter } from "../../trpc";
import { apiActivity, apiRequestKeys, apiRequestsView } from "./api-activity";
import { create } from "./create";
import { feed } from "./feed";
import { get } from "./get";
import { list } from "./list";
import { noteRouter } from "./notes";
import { planOptions } from "./plan-options";
import { timeline } from "./timeline";
import { update } from "./update";

export const customerRouter = createTRPCRouter({ list, planOptions, get, create, update, timeline, apiActivity, apiRequestsView, apiRequestKeys, note: noteRouter, feed });
