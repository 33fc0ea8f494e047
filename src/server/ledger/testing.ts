import { expect } from "vitest";
import type { Db } from "@/db/client";
import { verifyLedger } from "./verify-ledger";

/** For integration tests: after writing to the ledger, every balance must equal its entries. */
export async function expectLedgerConsistent(db: Db): Promise<void> {
  const result = await verifyLedger(db);
  expect(result.differences).toEqual([]);
  expect(result.differenceCount).toBe(0);
}
