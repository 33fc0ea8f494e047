import { createTRPCRouter } from "../../trpc";
import { accountGet } from "./account-get";
import { accountList } from "./account-list";
import { accountStatement } from "./account-statement";
import { accountCurrencies, accountListView, accountStatementView } from "./account-views";
import { customerSummaryGet } from "./customer-summary-get";
import { transactionGet } from "./transaction-get";
import { transactionReverse } from "./transaction-reverse";
import { trialBalanceGet } from "./trial-balance-get";

export const ledgerRouter = createTRPCRouter({
  account: createTRPCRouter({ list: accountList, listView: accountListView, currencies: accountCurrencies, get: accountGet, statement: accountStatement, statementView: accountStatementView }),
  transaction: createTRPCRouter({ get: transactionGet, reverse: transactionReverse }),
  trialBalance: createTRPCRouter({ get: trialBalanceGet }),
  customerSummary: createTRPCRouter({ get: customerSummaryGet }),
});
