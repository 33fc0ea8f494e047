import { createTRPCRouter } from "../../trpc";
import { accountGet } from "./account-get";
import { accountCurrencies, accountListView, accountStatementView } from "./account-views";
import { customerSummaryGet } from "./customer-summary-get";
import { transactionGet } from "./transaction-get";
import { transactionReverse } from "./transaction-reverse";
import { trialBalanceGet } from "./trial-balance-get";

export const ledgerRouter = createTRPCRouter({
  account: createTRPCRouter({ listView: accountListView, currencies: accountCurrencies, get: accountGet, statementView: accountStatementView }),
  transaction: createTRPCRouter({ get: transactionGet, reverse: transactionReverse }),
  trialBalance: createTRPCRouter({ get: trialBalanceGet }),
  customerSummary: createTRPCRouter({ get: customerSummaryGet }),
});
