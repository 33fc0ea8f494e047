import { createTRPCRouter } from "../../trpc";
import { list } from "./list";
import { filterValues, listView } from "./list-view";

export const auditRouter = createTRPCRouter({ list, listView, filterValues });
