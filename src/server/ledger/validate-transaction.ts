import { ledgerTransactionKinds } from "@/db/schema";
import { uuidPattern } from "./ids";
import { isResolution, ledgerLimits, type PostTransactionErrorCode, type PostTransactionInput, type TransferInput } from "./types";

export type ValidationFailure = { code: PostTransactionErrorCode; message: string; entryIndex?: number };

const currencyPattern = /^[a-z]{3}$/;
const kinds = new Set<string>(ledgerTransactionKinds);

/** Checks one item on its own (no database): shape, bounds, and that a transfer balances per currency. */
export function validateTransaction(item: PostTransactionInput, now: Date): ValidationFailure | null {
  const key = item.idempotencyKey;
  if (typeof key !== "string" || key.length === 0 || key.length > ledgerLimits.idempotencyKeyLengthMax) {
    return { code: "idempotency_key_invalid", message: `An idempotency key of 1 to ${ledgerLimits.idempotencyKeyLengthMax} characters is required.` };
  }
  if (item.description !== undefined && item.description.length > ledgerLimits.descriptionLengthMax) {
    return { code: "description_too_long", message: `The description is longer than ${ledgerLimits.descriptionLengthMax} characters.` };
  }
  if (isResolution(item)) {
    if (!uuidPattern.test(item.pendingTransactionId)) {
      return { code: "reference_invalid", message: "pendingTransactionId must be a transaction id (uuid)." };
    }
    if (item.amount !== undefined) {
      if (item.type !== "post_pending") return { code: "amount_not_allowed", message: "Only posting a hold takes an amount." };
      const failure = validateAmount(item.amount, undefined);
      if (failure) return failure;
    }
    return null;
  }
  if (item.type === "reverse") {
    if (!uuidPattern.test(item.transactionId)) return { code: "reference_invalid", message: "transactionId must be a transaction id (uuid)." };
    return validateDate(item.effectiveAt);
  }
  return validateTransfer(item, now);
}

function validateTransfer(item: TransferInput, now: Date): ValidationFailure | null {
  if (!kinds.has(item.kind)) return { code: "kind_invalid", message: `Unknown transaction kind "${String(item.kind)}".` };
  const entries = item.entries;
  if (!Array.isArray(entries) || entries.length === 0) return { code: "entries_empty", message: "A transaction needs entries." };
  if (entries.length < 2) return { code: "entries_too_few", message: "A transaction needs at least two entries." };
  if (entries.length > ledgerLimits.entriesPerTransactionMax) {
    return { code: "too_many_entries", message: `A transaction has at most ${ledgerLimits.entriesPerTransactionMax} entries.` };
  }
  const sums = new Map<string, bigint>();
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index]!;
    const hasId = typeof entry.accountId === "string";
    const hasCode = typeof entry.accountCode === "string";
    if (hasId === hasCode || (hasId && !uuidPattern.test(entry.accountId!)) || (hasCode && entry.accountCode!.length === 0)) {
      return { code: "account_ref_invalid", message: "Each entry names its account by accountId (uuid) or accountCode, not both.", entryIndex: index };
    }
    if (entry.direction !== "debit" && entry.direction !== "credit") {
      return { code: "direction_invalid", message: 'An entry\'s direction is "debit" or "credit".', entryIndex: index };
    }
    const failure = validateAmount(entry.amount, index);
    if (failure) return failure;
    if (typeof entry.currency !== "string" || !currencyPattern.test(entry.currency)) {
      return { code: "currency_invalid", message: "Currency is a lower-case ISO 4217 code such as usd.", entryIndex: index };
    }
    const signed = entry.direction === "debit" ? entry.amount : -entry.amount;
    sums.set(entry.currency, (sums.get(entry.currency) ?? 0n) + signed);
  }
  for (const [currency, sum] of sums) {
    if (sum !== 0n) return { code: "unbalanced", message: `Debits and credits in ${currency} differ by ${sum} micro-units.` };
  }
  const dateFailure = validateDate(item.effectiveAt);
  if (dateFailure) return dateFailure;
  const expiresAt = item.pending?.expiresAt;
  if (expiresAt !== undefined && (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime()) || expiresAt <= now)) {
    return { code: "expires_at_invalid", message: "A hold's expiresAt must be a time in the future." };
  }
  return validateReferences(item);
}

function validateAmount(amount: unknown, entryIndex: number | undefined): ValidationFailure | null {
  if (typeof amount !== "bigint" || amount <= 0n) {
    return { code: "amount_not_positive", message: "Amounts are positive bigint micro-units.", entryIndex };
  }
  if (amount > ledgerLimits.amountMax) {
    return { code: "amount_too_large", message: `An amount is at most ${ledgerLimits.amountMax} micro-units.`, entryIndex };
  }
  return null;
}

function validateDate(value: Date | undefined): ValidationFailure | null {
  if (value === undefined) return null;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    return { code: "effective_at_invalid", message: "effectiveAt must be a valid time." };
  }
  return null;
}

function validateReferences(item: TransferInput): ValidationFailure | null {
  const customerId = item.references?.customerId;
  if (customerId !== undefined && !uuidPattern.test(customerId)) {
    return { code: "reference_invalid", message: "references.customerId must be a customer id (uuid)." };
  }
  const metadata = item.metadata;
  if (metadata !== undefined) {
    const entries = Object.entries(metadata);
    const bad =
      entries.length > ledgerLimits.metadataKeysMax ||
      entries.some(([, value]) => typeof value !== "string" || value.length > ledgerLimits.metadataValueLengthMax);
    if (bad) return { code: "metadata_invalid", message: `Metadata holds at most ${ledgerLimits.metadataKeysMax} string values.` };
  }
  return null;
}
