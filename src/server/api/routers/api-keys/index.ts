import { createTRPCRouter } from "../../trpc";
import { create } from "./create";
import { list } from "./list";
import { listView } from "./list-view";
import { revoke } from "./revoke";

export const apiKeyRouter = createTRPCRouter({ list, listView, create, revoke });
