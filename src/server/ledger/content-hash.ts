import crypto from "node:crypto";
import { isResolution, type PostTransactionInput } from "./types";

/**
 * sha256 of an item's meaning, with accounts already resolved to ids: the same key with the same
 * hash is a retry (`exists`), with another hash a conflict. Who retries (actor) and the `linked`
 * flag are not part of the meaning. Built by hand (not JSON.stringify) because it runs per item.
 */
export function contentHash(item: PostTransactionInput, accountIds: readonly string[]): string {
  const parts: string[] = [item.type ?? "transfer", item.description ?? ""];
  if (isResolution(item)) {
    parts.push(item.pendingTransactionId, item.amount === undefined ? "" : item.amount.toString());
  } else if (item.type === "reverse") {
    parts.push(item.transactionId, item.effectiveAt?.toISOString() ?? "");
  } else {
    parts.push(item.kind, item.effectiveAt?.toISOString() ?? "", item.pending ? `hold:${item.pending.expiresAt?.toISOString() ?? ""}` : "");
    for (let index = 0; index < item.entries.length; index++) {
      const entry = item.entries[index]!;
      parts.push(`${accountIds[index]}|${entry.direction}|${entry.amount}|${entry.currency}`);
    }
    const references = item.references;
    if (references) {
      parts.push(`c:${references.customerId ?? ""}|i:${references.invoiceId ?? ""}|g:${references.grantId ?? ""}|s:${references.stripeObjectId ?? ""}`);
    }
    if (item.metadata) {
      for (const key of Object.keys(item.metadata).sort()) parts.push(`m:${key}=${item.metadata[key]}`);
    }
  }
  return crypto.createHash("sha256").update(parts.join("\u001f")).digest("base64url");
}
