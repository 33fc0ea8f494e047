import { Readable } from "node:stream";
import type { Db } from "@/db/client";
import { formatMicros } from "./format-micros";
import { listTrialBalanceRows, type GetTrialBalanceInput } from "./get-trial-balance";
import { pipeCsv } from "./stream-journal-csv";

/** The trial balance as of a time as CSV, streamed page by page, with a total line per currency. */
export function streamTrialBalanceCsv(db: Db, input: GetTrialBalanceInput): Readable {
  const records = async function* () {
    const totals = new Map<string, { debit: bigint; credit: bigint }>();
    for await (const row of listTrialBalanceRows(db, input)) {
      const total = totals.get(row.currency) ?? { debit: 0n, credit: 0n };
      total.debit += row.debit;
      total.credit += row.credit;
      totals.set(row.currency, total);
      yield [row.code, row.kind, row.currency, formatMicros(row.debit), formatMicros(row.credit)];
    }
    for (const [currency, total] of [...totals].sort()) {
      yield ["TOTAL", "", currency, formatMicros(total.debit), formatMicros(total.credit)];
    }
  };
  return pipeCsv(Readable.from(records()), ["account", "kind", "currency", "debit", "credit"]);
}
