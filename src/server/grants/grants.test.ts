import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, creditGrants } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { isDomainError } from "@/server/errors";
import { ledgerAccountCodes } from "@/server/ledger/account-codes";
import { createTestCustomer } from "@/server/ledger/test-fixtures";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { burnGrants } from "./burn-grants";
import { listCreditLimits, setCreditLimit } from "./credit-limits";
import { decideCreditRequest } from "./decide-credit-request";
import { expireGrants } from "./expire-grants";
import { issueGrant } from "./issue-grant";
import { listCreditRequests } from "./list-credit-requests";
import { listCustomerGrants } from "./list-customer-grants";
import { requestCredit } from "./request-credit";
import { balanceOf, countLedgerTransactions, financeActor, otherFinanceActor, supportActor } from "./test-helpers";

let database: TestDatabase;
const clock = fixedClock("2026-03-01T00:00:00Z");
const actor = systemActor("grants-test");
const usd = (dollars: bigint) => dollars * 1_000_000n;
const dayMs = 86_400_000;
const inDays = (days: number) => new Date(clock.now().getTime() + days * dayMs);

beforeAll(async () => {
  database = await createTestDatabase({ poolMax: 20 });
});
afterAll(async () => {
  await database.drop();
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  return isDomainError(error) ? error.code : `not a domain error: ${String(error)}`;
}

async function grant(customerId: string, key: string, extra: Partial<Parameters<typeof issueGrant>[3]> = {}) {
  return (
    await issueGrant(database.db, actor, clock, { customerId, amountMicros: usd(10n), category: "promotional", source: "migration", idempotencyKey: key, ...extra })
  ).grant;
}

describe("issueGrant", () => {
  it("credits the grant's own account against expense:promotions, once per key", async () => {
    const customerId = await createTestCustomer(database.db);
    const expenseBefore = await balanceOf(database.db, ledgerAccountCodes.expensePromotions());
    const first = await issueGrant(database.db, actor, clock, { customerId, amountMicros: usd(25n), category: "goodwill", source: "support", idempotencyKey: "issue-1" });
    const again = await issueGrant(database.db, actor, clock, { customerId, amountMicros: usd(25n), category: "goodwill", source: "support", idempotencyKey: "issue-1" });
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, grant: { id: first.grant.id } });
    expect(await balanceOf(database.db, ledgerAccountCodes.customerGrant(customerId, first.grant.id))).toBe(usd(25n));
    expect((await balanceOf(database.db, ledgerAccountCodes.expensePromotions())) - expenseBefore).toBe(usd(25n));
    expect(await codeOf(issueGrant(database.db, actor, clock, { customerId, amountMicros: usd(26n), category: "goodwill", source: "support", idempotencyKey: "issue-1" }))).toBe(
      "grant_idempotency_conflict",
    );
    await expectLedgerConsistent(database.db);
  });

  it("books paid credit against the customer's receivable and refuses bad input", async () => {
    const customerId = await createTestCustomer(database.db);
    const paid = await grant(customerId, "paid-1", { category: "paid", source: "purchase", amountMicros: usd(500n) });
    expect(await balanceOf(database.db, ledgerAccountCodes.customerReceivable(customerId))).toBe(usd(500n));
    expect(await balanceOf(database.db, ledgerAccountCodes.customerGrant(customerId, paid.id))).toBe(usd(500n));
    expect(await codeOf(grant(customerId, "bad-1", { amountMicros: 0n }))).toBe("invalid_input");
    expect(await codeOf(grant(customerId, "bad-2", { expiresAt: new Date(clock.now().getTime() - 1) }))).toBe("grant_expiry_invalid");
    expect(await codeOf(grant("00000000-0000-4000-8000-00000000dead", "bad-3"))).toBe("customer_not_found");
    await expectLedgerConsistent(database.db);
  });
});

describe("burnGrants", () => {
  it("burns by priority, then earliest expiry, then promotional → goodwill → paid, then oldest, and reports the rest", async () => {
    const customerId = await createTestCustomer(database.db);
    const tenDays = inDays(10);
    const paidNoExpiry = await grant(customerId, "order-b", { category: "paid", source: "purchase" });
    const goodwillFirst = await grant(customerId, "order-c", { category: "goodwill", priority: 50 });
    const promoTen = await grant(customerId, "order-a", { expiresAt: tenDays });
    const goodwillTen = await grant(customerId, "order-d", { category: "goodwill", expiresAt: tenDays });
    const paidFive = await grant(customerId, "order-e", { category: "paid", source: "purchase", expiresAt: inDays(5) });
    clock.advanceMs(1000);
    const promoTenLater = await grant(customerId, "order-f", { expiresAt: tenDays });
    const input = { customerId, currency: "usd", amountMicros: usd(65n), at: clock.now(), idempotencyKey: "burn-order-1", actor };
    const result = await burnGrants(database.db, input, { clock });
    expect(result.covered).toEqual([
      { grantId: goodwillFirst.id, amountMicros: usd(10n) },
      { grantId: paidFive.id, amountMicros: usd(10n) },
      { grantId: promoTen.id, amountMicros: usd(10n) },
      { grantId: promoTenLater.id, amountMicros: usd(10n) },
      { grantId: goodwillTen.id, amountMicros: usd(10n) },
      { grantId: paidNoExpiry.id, amountMicros: usd(10n) },
    ]);
    expect(result).toMatchObject({ coveredMicros: usd(60n), uncoveredMicros: usd(5n), created: true });
    expect(await balanceOf(database.db, ledgerAccountCodes.customerUnbilled(customerId))).toBe(-usd(60n));

    const burnsBefore = await countLedgerTransactions(database.db, "credit_burn");
    const retried = await burnGrants(database.db, input, { clock });
    expect(retried).toEqual({ ...result, created: false });
    expect(await countLedgerTransactions(database.db, "credit_burn")).toBe(burnsBefore);
    expect(await codeOf(burnGrants(database.db, { ...input, amountMicros: usd(1n) }, { clock }))).toBe("burn_idempotency_conflict");
    const nothingLeft = await burnGrants(database.db, { ...input, idempotencyKey: "burn-order-2" }, { clock });
    expect(nothingLeft).toMatchObject({ covered: [], coveredMicros: 0n, uncoveredMicros: usd(65n), ledgerTransactionId: null });
    await expectLedgerConsistent(database.db);
  });

  it("uses a scoped grant only for its products or meters, and never a grant not yet effective or expired", async () => {
    const customerId = await createTestCustomer(database.db);
    const agentOnly = await grant(customerId, "scope-product", { appliesTo: { type: "products", productKeys: ["agent"] } });
    const tokensOnly = await grant(customerId, "scope-meter", { appliesTo: { type: "meters", meterKeys: ["llm_tokens"] } });
    await grant(customerId, "scope-future", { effectiveAt: inDays(2) });
    await grant(customerId, "scope-short", { expiresAt: new Date(clock.now().getTime() + 1000) });
    const at = new Date(clock.now().getTime() + 1000);
    const base = { customerId, currency: "usd", at, actor };
    const editor = await burnGrants(database.db, { ...base, amountMicros: usd(5n), scope: { productKey: "editor", meterKey: "seats" }, idempotencyKey: "scope-1" }, { clock });
    expect(editor.coveredMicros).toBe(0n);
    const agent = await burnGrants(database.db, { ...base, amountMicros: usd(15n), scope: { productKey: "agent", meterKey: "agent_requests" }, idempotencyKey: "scope-2" }, { clock });
    expect(agent.covered).toEqual([{ grantId: agentOnly.id, amountMicros: usd(10n) }]);
    const tokens = await burnGrants(database.db, { ...base, amountMicros: usd(4n), scope: { productKey: "agent", meterKey: "llm_tokens" }, idempotencyKey: "scope-3" }, { clock });
    expect(tokens.covered).toEqual([{ grantId: tokensOnly.id, amountMicros: usd(4n) }]);
    await expectLedgerConsistent(database.db);
  });

  it("never overdraws under concurrency: 20 burns against $50 cover exactly $50, and one key burns once", async () => {
    const customerId = await createTestCustomer(database.db);
    for (const key of ["conc-1", "conc-2", "conc-3", "conc-4", "conc-5"]) await grant(customerId, key);
    const burns = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        burnGrants(database.db, { customerId, currency: "usd", amountMicros: usd(3n), at: clock.now(), idempotencyKey: `conc-burn-${index}`, actor }, { clock }),
      ),
    );
    expect(burns.reduce((sum, burn) => sum + burn.coveredMicros, 0n)).toBe(usd(50n));
    for (const view of await listCustomerGrants(database.db, customerId, clock.now())) expect(view.remainingMicros).toBe(0n);

    const other = await createTestCustomer(database.db);
    await grant(other, "same-key-grant");
    const same = await Promise.all(
      Array.from({ length: 20 }, () => burnGrants(database.db, { customerId: other, currency: "usd", amountMicros: usd(4n), at: clock.now(), idempotencyKey: "same-burn", actor }, { clock })),
    );
    expect(same.filter((burn) => burn.created)).toHaveLength(1);
    expect(new Set(same.map((burn) => burn.ledgerTransactionId)).size).toBe(1);
    expect((await listCustomerGrants(database.db, other, clock.now()))[0]!.remainingMicros).toBe(usd(6n));
    await expectLedgerConsistent(database.db);
  });
});

describe("expireGrants", () => {
  it("moves each remainder out once: promotional to expense:promotions, paid to revenue:breakage; a second or concurrent run changes nothing", async () => {
    const customerId = await createTestCustomer(database.db);
    const promo = await grant(customerId, "exp-promo", { expiresAt: inDays(1) });
    const paid = await grant(customerId, "exp-paid", { category: "paid", source: "purchase", expiresAt: inDays(1) });
    const lasting = await grant(customerId, "exp-lasting", { expiresAt: inDays(30) });
    await burnGrants(database.db, { customerId, currency: "usd", amountMicros: usd(4n), at: clock.now(), idempotencyKey: "exp-burn", actor }, { clock });
    const breakageBefore = await balanceOf(database.db, ledgerAccountCodes.revenueBreakage());
    clock.advanceMs(2 * dayMs);
    const runs = await Promise.all([expireGrants(database.db, clock), expireGrants(database.db, clock), expireGrants(database.db, clock)]);
    const expiredHere = runs.reduce((sum, run) => sum + BigInt(run.remainderMicros.usd ?? "0"), 0n);
    expect(expiredHere).toBeGreaterThanOrEqual(usd(16n));
    expect(await balanceOf(database.db, ledgerAccountCodes.customerGrant(customerId, promo.id))).toBe(0n);
    expect(await balanceOf(database.db, ledgerAccountCodes.customerGrant(customerId, paid.id))).toBe(0n);
    expect(await balanceOf(database.db, ledgerAccountCodes.customerGrant(customerId, lasting.id))).toBe(usd(10n));
    expect((await balanceOf(database.db, ledgerAccountCodes.revenueBreakage())) - breakageBefore).toBe(usd(10n));
    const expiries = await countLedgerTransactions(database.db, "credit_expiry");
    const again = await expireGrants(database.db, clock);
    expect(again.grantsExpired).toBe(0);
    expect(await countLedgerTransactions(database.db, "credit_expiry")).toBe(expiries);
    const [row] = await database.db.select().from(creditGrants).where(eq(creditGrants.id, promo.id));
    expect(row!.expiredAt).not.toBeNull();
    const views = await listCustomerGrants(database.db, customerId, clock.now());
    expect(views.find((view) => view.id === promo.id)!.state).toBe("expired");
    await expectLedgerConsistent(database.db);
  });
});

describe("credit requests (maker-checker)", () => {
  it("issues within the requester's limit and sends larger credits for approval", async () => {
    const customerId = await createTestCustomer(database.db);
    const small = await requestCredit(database.db, supportActor, "support", clock, {
      customerId, amountMicros: usd(40n), reason: "Outage on March 1", requestId: crypto.randomUUID(),
    });
    expect(small.outcome).toBe("issued");
    expect(small.grant).toMatchObject({ category: "goodwill", source: "support", sourceReference: small.request.id });
    const large = await requestCredit(database.db, supportActor, "support", clock, {
      customerId, amountMicros: usd(250n), reason: "Long outage", requestId: crypto.randomUUID(),
    });
    expect(large).toMatchObject({ outcome: "pending_approval", grant: null, request: { status: "pending", limitMicros: usd(100n) } });
    expect((await listCreditRequests(database.db, { status: "pending" })).map((request) => request.id)).toContain(large.request.id);
    expect(await codeOf(requestCredit(database.db, supportActor, "support", clock, { customerId, amountMicros: usd(1n), reason: "", requestId: crypto.randomUUID() }))).toBe("invalid_input");
    const financeOwn = await requestCredit(database.db, financeActor, "finance", clock, { customerId, amountMicros: usd(250n), reason: "Finance goodwill", requestId: crypto.randomUUID() });
    expect(financeOwn.outcome).toBe("issued");
    await expectLedgerConsistent(database.db);
  });

  it("issues one grant for one request id sent 20 times at once", async () => {
    const customerId = await createTestCustomer(database.db);
    const requestId = crypto.randomUUID();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => requestCredit(database.db, supportActor, "support", clock, { customerId, amountMicros: usd(30n), reason: "Double click", requestId })),
    );
    expect(new Set(results.map((result) => result.grant?.id)).size).toBe(1);
    expect(results.every((result) => result.outcome === "issued")).toBe(true);
    expect(await listCustomerGrants(database.db, customerId, clock.now())).toHaveLength(1);
    expect(await codeOf(requestCredit(database.db, supportActor, "support", clock, { customerId, amountMicros: usd(31n), reason: "Changed", requestId }))).toBe("credit_request_id_reused");
    await expectLedgerConsistent(database.db);
  });

  it("lets another approver approve once: the requester cannot, concurrent approvals issue one grant, rejection needs a note", async () => {
    const customerId = await createTestCustomer(database.db);
    const { request } = await requestCredit(database.db, financeActor, "finance", clock, { customerId, amountMicros: usd(6000n), reason: "Contract dispute", requestId: crypto.randomUUID() });
    expect(request.status).toBe("pending");
    expect(await codeOf(decideCreditRequest(database.db, financeActor, clock, { creditRequestId: request.id, decision: "approve" }))).toBe("approver_is_requester");
    const approvers = [otherFinanceActor, supportActor, { ...otherFinanceActor, id: "00000000-0000-4000-8000-000000000009" }];
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        decideCreditRequest(database.db, approvers[index % approvers.length]!, clock, { creditRequestId: request.id, decision: "approve", note: "ok" }).then(
          (result) => result.grant?.id ?? "none",
          (error: unknown) => (isDomainError(error) ? error.code : String(error)),
        ),
      ),
    );
    const grantIds = outcomes.filter((outcome) => outcome !== "credit_request_not_pending");
    expect(grantIds).toHaveLength(1);
    const grants = await listCustomerGrants(database.db, customerId, clock.now());
    expect(grants.map((view) => [view.id, view.remainingMicros])).toEqual([[grantIds[0], usd(6000n)]]);

    const other = await requestCredit(database.db, supportActor, "support", clock, { customerId, amountMicros: usd(150n), reason: "Second", requestId: crypto.randomUUID() });
    expect(await codeOf(decideCreditRequest(database.db, financeActor, clock, { creditRequestId: other.request.id, decision: "reject" }))).toBe("decision_note_required");
    const rejected = await decideCreditRequest(database.db, financeActor, clock, { creditRequestId: other.request.id, decision: "reject", note: "Not covered by policy" });
    expect(rejected).toMatchObject({ grant: null, request: { status: "rejected", decidedBy: financeActor.id } });
    expect(await codeOf(decideCreditRequest(database.db, otherFinanceActor, clock, { creditRequestId: other.request.id, decision: "approve" }))).toBe("credit_request_not_pending");
    await expectLedgerConsistent(database.db);
  });

  // Last: it changes the support limit the tests above rely on (and puts it back).
  it("decides the next credit by the limit an admin set, audits the change, and refuses limits that cannot be", async () => {
    const customerId = await createTestCustomer(database.db);
    const request = (amountDollars: bigint) =>
      requestCredit(database.db, supportActor, "support", clock, { customerId, amountMicros: usd(amountDollars), reason: "Outage", requestId: crypto.randomUUID() });
    expect((await listCreditLimits(database.db)).find((limit) => limit.role === "support")).toMatchObject({ limitMicros: usd(100n), isDefault: true });
    await setCreditLimit(database.db, actor, { role: "support", limitMicros: usd(20n), reason: "Tighter controls this quarter" });
    expect((await request(30n)).outcome).toBe("pending_approval");
    expect((await request(20n)).outcome).toBe("issued");
    expect((await listCreditLimits(database.db)).map(({ role, limitMicros, isDefault }) => ({ role, limitMicros, isDefault }))).toEqual([
      { role: "support", limitMicros: usd(20n), isDefault: false },
      { role: "finance", limitMicros: usd(5_000n), isDefault: true },
      { role: "admin", limitMicros: usd(5_000n), isDefault: true },
    ]);
    const [audit] = await database.db.select().from(auditLog).where(and(eq(auditLog.action, "grant.limit.set"), eq(auditLog.objectId, "support")));
    expect(audit).toMatchObject({ reason: "Tighter controls this quarter" });

    expect(await codeOf(setCreditLimit(database.db, actor, { role: "product", limitMicros: usd(10n), reason: "Product credits" }))).toBe("credit_limit_not_applicable");
    expect(await codeOf(setCreditLimit(database.db, actor, { role: "support", limitMicros: -1n, reason: "Negative" }))).toBe("invalid_credit_limit");
    expect(await codeOf(setCreditLimit(database.db, actor, { role: "support", limitMicros: usd(1_000_001n), reason: "Huge" }))).toBe("invalid_credit_limit");
    expect(await codeOf(setCreditLimit(database.db, actor, { role: "support", limitMicros: usd(50n), reason: " " }))).toBe("invalid_reason");
    expect((await listCreditLimits(database.db)).find((limit) => limit.role === "support")?.limitMicros).toBe(usd(20n));

    await setCreditLimit(database.db, actor, { role: "support", limitMicros: usd(100n), reason: "Back to the default" });
  });
});
