import { createTRPCRouter } from "../../trpc";
import { periodClose } from "./period-close";
import { periodList } from "./period-list";
import { periodReopen } from "./period-reopen";

export const reportRouter = createTRPCRouter({
  period: createTRPCRouter({ list: periodList, close: periodClose, reopen: periodReopen }),
});
