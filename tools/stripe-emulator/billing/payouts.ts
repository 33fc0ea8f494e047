import type Stripe from "stripe";
import type { Engine } from "../engine";
import { idOf } from "../objects/invoices";
import { buildBalanceTransaction, buildPayout, cardFeeMinor } from "../objects/balance";

const day = 86_400;

/** Midnight UTC at or after `time`: automatic payouts run at the start of a day. */
function nextMidnight(time: number): number {
  return Math.ceil(time / day) * day;
}

/**
 * A succeeded charge's balance transaction (the id the charge already names): the amount, Stripe's
 * card fee, the net, available `payouts.delayDays` days after the day it was created (midnight UTC).
 */
export function recordChargeBalance(engine: Engine, charge: Stripe.Charge): Stripe.BalanceTransaction | undefined {
  const id = idOf(charge.balance_transaction);
  if (id === null || charge.status !== "succeeded" || engine.store.get("balance_transaction", id) !== undefined) return undefined;
  return engine.store.insert(
    "balance_transaction",
    buildBalanceTransaction({
      id,
      created: charge.created,
      availableOn: Math.floor(charge.created / day) * day + engine.config.payouts.delayDays * day,
      amount: charge.amount_captured,
      fee: cardFeeMinor(charge.amount_captured),
      currency: charge.currency,
      type: "charge",
      source: charge.id,
      description: charge.description,
    }),
  );
}

/** A refund leaves the balance at once (available when created) and gives no fee back. */
export function recordRefundBalance(engine: Engine, refund: Stripe.Refund): Stripe.BalanceTransaction {
  const id = `txn_${refund.id.slice(3)}`;
  refund.balance_transaction = id;
  return engine.store.insert(
    "balance_transaction",
    buildBalanceTransaction({ id, created: refund.created, availableOn: refund.created, amount: -refund.amount, fee: 0, currency: refund.currency, type: "refund", source: refund.id, description: "REFUND FOR CHARGE" }),
  );
}

/** The clock a balance transaction lives on: its source's customer's. */
export function clockOfBalanceTransaction(engine: Engine, transaction: Stripe.BalanceTransaction): string | null {
  const sourceId = idOf(transaction.source);
  if (sourceId === null) return null;
  if (transaction.type === "payout") return engine.payoutClocks.get(sourceId) ?? null;
  const source = engine.store.lookup(sourceId) as { customer?: unknown; charge?: unknown } | undefined;
  if (source === undefined) return null;
  if (transaction.type === "refund") {
    const charge = engine.store.get("charge", idOf(source.charge as string | null) ?? "");
    return charge === undefined ? null : engine.clockOfCustomer(idOf(charge.customer));
  }
  return engine.clockOfCustomer(idOf(source.customer as string | null));
}

export type PayoutTask = { at: number; rank: number; run: () => void };

/**
 * The automatic payout schedule of one clock (Stripe's default: daily). At each midnight where
 * something became available, every available transaction not yet paid out joins one payout per
 * currency (when their net is positive; otherwise they wait for the next day's); a payout is
 * `pending` until its arrival date, then `paid` (`payout.paid`).
 */
export function nextPayoutTask(engine: Engine, clockId: string | null): PayoutTask | undefined {
  let best: PayoutTask | undefined;
  for (const payout of engine.store.all("payout")) {
    if (payout.status !== "pending" || (engine.payoutClocks.get(payout.id) ?? null) !== clockId) continue;
    if (best === undefined || payout.arrival_date < best.at) best = { at: payout.arrival_date, rank: 4, run: () => payPayout(engine, payout) };
  }
  if (engine.config.payouts.schedule !== "daily") return best;
  const lastRun = engine.payoutRuns.get(clockId) ?? Number.NEGATIVE_INFINITY;
  let runAt: number | undefined;
  for (const transaction of engine.store.all("balance_transaction")) {
    if (transaction.type === "payout" || engine.payoutOfBalanceTransaction.has(transaction.id)) continue;
    const at = nextMidnight(transaction.available_on);
    if (at <= lastRun || (runAt !== undefined && at >= runAt)) continue;
    if (clockOfBalanceTransaction(engine, transaction) === clockId) runAt = at;
  }
  if (runAt !== undefined && (best === undefined || runAt < best.at)) {
    const at = runAt;
    best = { at, rank: 5, run: () => runPayouts(engine, clockId, at) };
  }
  return best;
}

function runPayouts(engine: Engine, clockId: string | null, at: number): void {
  engine.payoutRuns.set(clockId, at);
  const byCurrency = new Map<string, Stripe.BalanceTransaction[]>();
  for (const transaction of engine.store.all("balance_transaction")) {
    if (transaction.type === "payout" || transaction.available_on > at || engine.payoutOfBalanceTransaction.has(transaction.id)) continue;
    if (clockOfBalanceTransaction(engine, transaction) !== clockId) continue;
    transaction.status = "available";
    byCurrency.set(transaction.currency, [...(byCurrency.get(transaction.currency) ?? []), transaction]);
  }
  for (const [currency, transactions] of byCurrency) {
    const net = transactions.reduce((sum, transaction) => sum + transaction.net, 0);
    if (net <= 0) continue;
    const id = engine.id("po");
    const payout = buildPayout({ id, created: at, arrivalDate: at + engine.config.payouts.transitDays * day, amount: net, currency, balanceTransaction: `txn_${id.slice(3)}` });
    engine.payoutClocks.set(id, clockId);
    engine.store.insert("payout", payout);
    engine.store.insert(
      "balance_transaction",
      buildBalanceTransaction({ id: `txn_${id.slice(3)}`, created: at, availableOn: at, amount: -net, fee: 0, currency, type: "payout", source: id, description: "STRIPE PAYOUT" }),
    );
    for (const transaction of transactions) engine.payoutOfBalanceTransaction.set(transaction.id, id);
    engine.payoutOfBalanceTransaction.set(`txn_${id.slice(3)}`, id);
    engine.emit("payout.created", payout);
    if (payout.arrival_date <= at) payPayout(engine, payout);
  }
}

function payPayout(engine: Engine, payout: Stripe.Payout): void {
  payout.status = "paid";
  engine.emit("payout.paid", payout);
}
