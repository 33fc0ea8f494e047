import type { JobDefinition } from "@/server/jobs/types";
import { compactBalances } from "./compact-balances";
import { expireHolds } from "./expire-holds";
import { verifyLedger } from "./verify-ledger";

const bigintSafe = (value: unknown): Record<string, unknown> =>
  JSON.parse(JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner))) as Record<string, unknown>;

export const ledgerJobs: JobDefinition[] = [
  {
    name: "ledger:verify",
    description: "Recompute every ledger balance from entries and report each difference",
    run: async ({ db, log }) => {
      const result = await verifyLedger(db);
      log(`${result.accountsChecked} accounts, ${result.transactionsChecked} transactions, ${result.differenceCount} differences`);
      return bigintSafe(result);
    },
  },
  {
    name: "ledger:expire-holds",
    description: "Expire ledger holds past their expiry time (bounded per run)",
    run: async ({ db, clock }) => ({ ...(await expireHolds(db, clock)) }),
  },
  {
    name: "ledger:compact-balances",
    description: "Fold balance delta rows of unlocked ledger accounts into their balance rows",
    run: async ({ db }) => ({ ...(await compactBalances(db)) }),
  },
];
