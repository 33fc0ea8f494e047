import { createTRPCRouter } from "../../trpc";
import { periodClose } from "./period-close";
import { periodList } from "./period-list";
import { periodReopen } from "./period-reopen";
import { accountNames, adjustments, aging, cash, credits, drilldown, promotions, revenue, statement, trialBalance } from "./reports";

export const reportRouter = createTRPCRouter({
  period: createTRPCRouter({ list: periodList, close: periodClose, reopen: periodReopen }),
  trialBalance,
  revenue,
  aging,
  cash,
  credits,
  promotions,
  adjustments,
  statement,
  drilldown,
  accountNames,
});
