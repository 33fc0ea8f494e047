import type { Engine } from "../engine";
import { createdFilter, paginate } from "../list";
import type { Params } from "../params";
import { pathParam, route, type Route } from "../router";

/**
 * Balance transactions (list by `payout`, `source`, `type`, `currency`, `created`; retrieve) and
 * automatic payouts (list by `status`, `created`, `arrival_date`; retrieve). As in Stripe, the
 * `payout` filter lists the transactions a payout paid out and the payout's own transaction.
 */
function listBalanceTransactions(engine: Engine, params: Params) {
  const payout = params.string("payout");
  if (payout !== undefined) engine.store.require("payout", payout, "payout");
  const source = params.string("source");
  const type = params.string("type");
  const currency = params.string("currency", { maxLength: 3 })?.toLowerCase();
  const created = createdFilter(params);
  const transactions = engine.store
    .all("balance_transaction")
    .filter(
      (transaction) =>
        (payout === undefined || engine.payoutOfBalanceTransaction.get(transaction.id) === payout) &&
        (source === undefined || transaction.source === source) &&
        (type === undefined || transaction.type === type) &&
        (currency === undefined || transaction.currency === currency) &&
        created(transaction.created),
    );
  return paginate(transactions, params, "/v1/balance_transactions");
}

function listPayouts(engine: Engine, params: Params) {
  const status = params.oneOf("status", ["pending", "paid", "failed", "canceled", "in_transit"] as const);
  const created = createdFilter(params);
  const arrival = createdFilter(params, "arrival_date");
  const payouts = engine.store.all("payout").filter((payout) => (status === undefined || payout.status === status) && created(payout.created) && arrival(payout.arrival_date));
  return paginate(payouts, params, "/v1/payouts");
}

export const balanceRoutes: Route[] = [
  route("GET", "/v1/balance_transactions", ({ engine, params }) => listBalanceTransactions(engine, params)),
  route("GET", "/v1/balance_transactions/:id", (request) => request.engine.store.require("balance_transaction", pathParam(request, "id"))),
  route("GET", "/v1/payouts", ({ engine, params }) => listPayouts(engine, params)),
  route("GET", "/v1/payouts/:id", (request) => request.engine.store.require("payout", pathParam(request, "id"))),
];
