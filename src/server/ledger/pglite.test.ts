import { describe, expect, it } from "vitest";
import { fixedClock } from "@/server/clock";
import { createPgliteTestDatabase } from "@/test/database";
import { getAccountBalance } from "./get-account-balance";
import { postTransactions } from "./post-transactions";
import { reverseTransaction } from "./reverse-transaction";
import { createChart, createTestCustomer, testActor, transfer } from "./test-fixtures";
import { verifyLedger } from "./verify-ledger";

describe("the posting path on PGlite", () => {
  it("posts, refuses overdraft, holds, reverses and verifies", async () => {
    const handle = await createPgliteTestDatabase();
    try {
      const clock = fixedClock("2025-06-01T00:00:00Z");
      const chart = await createChart(handle.db, await createTestCustomer(handle.db));
      const { results } = await postTransactions(
        handle.db,
        [
          transfer("p-fund", chart.promotions, chart.grant, 100n, { kind: "credit_grant" }),
          transfer("p-burn", chart.grant, chart.unbilled, 60n, { kind: "credit_burn" }),
          transfer("p-over", chart.grant, chart.unbilled, 60n, { kind: "credit_burn" }),
          transfer("p-hold", chart.grant, chart.unbilled, 30n, { kind: "credit_burn", pending: {} }),
        ],
        { clock },
      );
      expect(results.map((result) => result.status)).toEqual(["created", "created", "insufficient_balance", "created"]);
      const burnId = (results[1] as { transactionId: string }).transactionId;
      await reverseTransaction(handle.db, { transactionId: burnId, reason: "test", actor: testActor }, { clock });
      const grant = await getAccountBalance(handle.db, { accountId: chart.grant });
      expect(grant).toMatchObject({ posted: 100n, available: 70n });
      expect((await verifyLedger(handle.db)).differenceCount).toBe(0);
    } finally {
      await handle.close();
    }
  });
});
