import { createTRPCRouter } from "../../trpc";
import { create } from "./create";
import { listView } from "./list-view";
import { revoke } from "./revoke";

export const apiKeyRouter = createTRPCRouter({ listView, create, revoke });
