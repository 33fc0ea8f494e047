import { Readable } from "node:stream";
import { createCsvStringifier } from "@/lib/csv";
import type { Db } from "@/db/client";
import { listJournalEntries, type ListJournalEntriesInput } from "./list-journal-entries";
import { formatMicros } from "./format-micros";

const columns = ["entry_id", "effective_at", "posted_at", "transaction_id", "idempotency_key", "kind", "description", "account", "currency", "phase", "debit", "credit"];

/**
 * The journal for [from, to) as CSV, streamed: rows are read page by page and written with
 * back-pressure, so a route handler can pipe a year of entries in constant memory
 * (`Readable.toWeb(streamJournalCsv(...))`). Amounts are decimal currency units (micro-units exact).
 */
export function streamJournalCsv(db: Db, input: ListJournalEntriesInput): Readable {
  const records = async function* () {
    for await (const entry of listJournalEntries(db, input)) {
      yield [
        entry.entryId,
        entry.effectiveAt,
        entry.postedAt,
        entry.transactionId,
        entry.idempotencyKey,
        entry.kind,
        entry.description,
        entry.accountCode,
        entry.currency,
        entry.phase,
        formatMicros(entry.debit),
        formatMicros(entry.credit),
      ];
    }
  };
  return pipeCsv(Readable.from(records()), columns);
}

export function pipeCsv(source: Readable, header: string[]): Readable {
  const csv = createCsvStringifier(header);
  source.on("error", (error) => csv.destroy(error));
  return source.pipe(csv);
}
