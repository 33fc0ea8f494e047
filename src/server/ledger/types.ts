import type { LedgerAccountKind, LedgerEntryPhase, LedgerTransactionKind, LedgerTransactionStatus } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";

/** Bounds (TigerBeetle style: every batch, loop and page has one). */
export const ledgerLimits = {
  /** Items per `postTransactions` call, as in TigerBeetle's `create_transfers`. */
  transactionsPerBatchMax: 8190,
  /** Entries per transaction. */
  entriesPerTransactionMax: 128,
  /** Entries per batch, all transactions together (keeps one statement's arrays bounded). */
  entriesPerBatchMax: 8190 * 4,
  /** One entry's amount: 10^15 micro-units = 1,000,000,000.00 of the currency. */
  amountMax: 1_000_000_000_000_000n,
  idempotencyKeyLengthMax: 200,
  descriptionLengthMax: 1000,
  metadataKeysMax: 50,
  metadataValueLengthMax: 500,
  /** Attempts of one batch when a concurrent writer wins a race (same key, deadlock). */
  batchAttemptsMax: 4,
  pageSizeMax: 500,
} as const;

export type EntryDirection = "debit" | "credit";

export type LedgerEntryInput = {
  /** Exactly one of accountId and accountCode. */
  accountId?: string;
  accountCode?: string;
  direction: EntryDirection;
  /** Micro-units, > 0. */
  amount: bigint;
  /** ISO 4217, lower case (`usd`); must be the account's currency. */
  currency: string;
};

export type LedgerReferences = {
  customerId?: string;
  invoiceId?: string;
  grantId?: string;
  stripeObjectId?: string;
};

type ItemCommon = {
  /** Client-chosen; the same key with the same content returns the original result. */
  idempotencyKey: string;
  actor: Actor;
  description?: string;
  /** TigerBeetle's `linked` flag: this item succeeds or fails together with the next one. */
  linked?: boolean;
};

/** A transfer between accounts; with `pending` it is a hold (two-phase). */
export type TransferInput = ItemCommon & {
  type?: "transfer";
  kind: LedgerTransactionKind;
  entries: LedgerEntryInput[];
  /** Defaults to the clock's now. */
  effectiveAt?: Date;
  references?: LedgerReferences;
  metadata?: Record<string, string>;
  /** Reserve the amounts now; post or void later. Without `expiresAt` the hold never expires. */
  pending?: { expiresAt?: Date };
};

/** Resolves a hold: post it (fully, or partly with `amount`), void it, or expire it (after `expiresAt`). */
export type ResolvePendingInput = ItemCommon & {
  type: "post_pending" | "void_pending" | "expire_pending";
  pendingTransactionId: string;
  /** Partial post of a two-entry hold: post this much and release the rest. */
  amount?: bigint;
};

/** Posts the mirror image of a posted transaction's posted entries, once. */
export type ReverseInput = ItemCommon & {
  type: "reverse";
  transactionId: string;
  effectiveAt?: Date;
};

export type PostTransactionInput = TransferInput | ResolvePendingInput | ReverseInput;
export type PostTransactionsInput = PostTransactionInput[];

export const postTransactionErrorCodes = [
  // input
  "idempotency_key_invalid",
  "kind_invalid",
  "entries_empty",
  "entries_too_few",
  "too_many_entries",
  "account_ref_invalid",
  "direction_invalid",
  "amount_not_positive",
  "amount_too_large",
  "currency_invalid",
  "unbalanced",
  "description_too_long",
  "effective_at_invalid",
  "expires_at_invalid",
  "metadata_invalid",
  "reference_invalid",
  "amount_not_allowed",
  // idempotency
  "exists_with_different_content",
  // accounts
  "account_not_found",
  "account_closed",
  "currency_mismatch",
  // two-phase
  "pending_transaction_not_found",
  "pending_transaction_already_posted",
  "pending_transaction_already_voided",
  "pending_transaction_already_expired",
  "pending_transaction_expired",
  "pending_transaction_not_expired",
  "partial_amount_unsupported",
  "amount_exceeds_pending",
  // reversal
  "reversal_target_not_found",
  "reversal_target_pending",
  "reversal_target_empty",
  "already_reversed",
  // balances
  "insufficient_balance",
  // linked chains
  "linked_failed",
  "linked_chain_open",
] as const;
export type PostTransactionErrorCode = (typeof postTransactionErrorCodes)[number];

export type PostTransactionResult =
  | { status: "created"; transactionId: string }
  | { status: "exists"; transactionId: string }
  | {
      status: PostTransactionErrorCode;
      message: string;
      /** The entry at fault, when there is one. */
      entryIndex?: number;
      /** The transaction that already holds the key / the reversal that already exists. */
      transactionId?: string;
    };

export type PostTransactionsResult = { results: PostTransactionResult[] };

/** Posted, pending and available amounts of one account. Balances are on the account's normal side. */
export type AccountBalance = {
  accountId: string;
  currency: string;
  postedDebits: bigint;
  postedCredits: bigint;
  pendingDebits: bigint;
  pendingCredits: bigint;
  /** Normal side: debits - credits for asset/expense, credits - debits otherwise. */
  posted: bigint;
  /** Net held amount on the normal side (positive when holds would raise the balance). */
  pending: bigint;
  /** Posted minus holds against the normal side: what a non-negative account can still spend. */
  available: bigint;
};

export type BalanceTotals = Pick<AccountBalance, "postedDebits" | "postedCredits" | "pendingDebits" | "pendingCredits">;

export type LedgerAccountSummary = {
  id: string;
  code: string;
  kind: LedgerAccountKind;
  currency: string;
  customerId: string | null;
  nonNegative: boolean;
  closed: boolean;
};

export type { LedgerAccountKind, LedgerEntryPhase, LedgerTransactionKind, LedgerTransactionStatus };

export function isResolution(item: PostTransactionInput): item is ResolvePendingInput {
  return item.type === "post_pending" || item.type === "void_pending" || item.type === "expire_pending";
}

export function isTransfer(item: PostTransactionInput): item is TransferInput {
  return item.type === undefined || item.type === "transfer";
}
