import type { Db } from "@/db/client";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";
import { postTransactions } from "./post-transactions";
import { ledgerLimits, type PostTransactionInput, type PostTransactionResult } from "./types";

export type LedgerPosterOptions = {
  clock: Clock;
  /** Items per database transaction (≤ 8,190). */
  batchSizeMax?: number;
  /** Batches in flight at once (each holds one pooled connection). */
  inFlightMax?: number;
  /** Waiting items before `post` refuses more (back-pressure instead of unbounded memory). */
  queueLengthMax?: number;
};

export type LedgerPoster = {
  /** Posts one transaction, or a linked group kept together in one batch; resolves with its results. */
  post: (items: PostTransactionInput | PostTransactionInput[]) => Promise<PostTransactionResult[]>;
  /** Waits for everything queued to be written. */
  drain: () => Promise<void>;
};

type Waiting = { items: PostTransactionInput[]; resolve: (results: PostTransactionResult[]) => void; reject: (error: unknown) => void };

/**
 * Group commit for many concurrent single-transaction callers (TigerBeetle-style batching): calls
 * that arrive while a batch is being written wait in a queue and go out together in the next
 * database transaction, each caller receiving its own results. One commit (and one fsync) is
 * shared by up to `batchSizeMax` callers, and hot accounts are written once per batch.
 */
export function createLedgerPoster(db: Db, options: LedgerPosterOptions): LedgerPoster {
  const batchSizeMax = Math.min(options.batchSizeMax ?? ledgerLimits.transactionsPerBatchMax, ledgerLimits.transactionsPerBatchMax);
  const inFlightMax = options.inFlightMax ?? 2;
  const queueLengthMax = options.queueLengthMax ?? batchSizeMax * 8;
  const queue: Waiting[] = [];
  let queuedItems = 0;
  let inFlight = 0;
  let idle: Array<() => void> = [];

  function pump(): void {
    while (inFlight < inFlightMax && queue.length > 0) {
      const taken: Waiting[] = [];
      let size = 0;
      while (queue.length > 0 && size + queue[0]!.items.length <= batchSizeMax) {
        const waiting = queue.shift()!;
        size += waiting.items.length;
        taken.push(waiting);
      }
      queuedItems -= size;
      inFlight++;
      void flush(taken).finally(() => {
        inFlight--;
        pump();
        if (inFlight === 0 && queue.length === 0) {
          for (const wake of idle) wake();
          idle = [];
        }
      });
    }
  }

  async function flush(taken: Waiting[]): Promise<void> {
    try {
      const { results } = await postTransactions(db, taken.flatMap((waiting) => waiting.items), { clock: options.clock });
      let offset = 0;
      for (const waiting of taken) {
        waiting.resolve(results.slice(offset, offset + waiting.items.length));
        offset += waiting.items.length;
      }
    } catch (error) {
      for (const waiting of taken) waiting.reject(error);
    }
  }

  return {
    post(input) {
      const items = Array.isArray(input) ? input : [input];
      if (items.length === 0) return Promise.resolve([]);
      if (items.length > batchSizeMax) {
        return Promise.reject(new DomainError("too_large", "ledger_batch_too_large", `A linked group has at most ${batchSizeMax} items.`));
      }
      if (queuedItems + items.length > queueLengthMax) {
        return Promise.reject(new DomainError("rate_limited", "ledger_poster_queue_full", "The ledger is busy; retry shortly."));
      }
      if (items[items.length - 1]!.linked) {
        // Queued as is, an open chain would swallow the next caller's item; refuse it as postTransactions would.
        const message = "The last item of a linked group may not be linked: the chain has no end.";
        return Promise.resolve(items.map(() => ({ status: "linked_chain_open" as const, message })));
      }
      return new Promise<PostTransactionResult[]>((resolve, reject) => {
        queue.push({ items, resolve, reject });
        queuedItems += items.length;
        pump();
      });
    },
    drain() {
      if (inFlight === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idle.push(resolve));
    },
  };
}
