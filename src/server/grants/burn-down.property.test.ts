import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GrantCategory } from "@/db/schema";
import { systemActor } from "@/server/audit/actor";
import { fixedClock } from "@/server/clock";
import { createTestCustomer } from "@/server/ledger/test-fixtures";
import { expectLedgerConsistent } from "@/server/ledger/testing";
import { createTestDatabase, type TestDatabase } from "@/test/database";
import { burnGrants } from "./burn-grants";
import { expireGrants } from "./expire-grants";
import { issueGrant } from "./issue-grant";
import { listCustomerGrants } from "./list-customer-grants";

/**
 * A plain model of credit grants, written independently of burn-order.ts, run against the
 * database over random sequences of issue / burn / expire / advance-time.
 */
type ModelGrant = {
  id: string;
  category: GrantCategory;
  priority: number;
  issuedAtMs: number;
  expiresAtMs: number | null;
  scope: Scope;
  balance: bigint;
  swept: boolean;
};
type Scope = "all" | "agent-product" | "tokens-meter";
type Usage = { productKey: "agent" | "editor"; meterKey: "llm_tokens" | "seats" };

const categoryOrder: GrantCategory[] = ["promotional", "goodwill", "paid"];
const hourMs = 3_600_000;

function modelBurn(grants: ModelGrant[], amount: bigint, usage: Usage, atMs: number): Array<[string, bigint]> {
  const covers = (grant: ModelGrant) =>
    grant.scope === "all" || (grant.scope === "agent-product" && usage.productKey === "agent") || (grant.scope === "tokens-meter" && usage.meterKey === "llm_tokens");
  const usable = grants.filter((grant) => !grant.swept && grant.balance > 0n && grant.issuedAtMs <= atMs && (grant.expiresAtMs === null || grant.expiresAtMs > atMs) && covers(grant));
  const key = (grant: ModelGrant) => [grant.priority, grant.expiresAtMs ?? Number.MAX_SAFE_INTEGER, categoryOrder.indexOf(grant.category), grant.issuedAtMs] as const;
  usable.sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let index = 0; index < ka.length; index++) if (ka[index] !== kb[index]) return ka[index]! - kb[index]!;
    return a.id < b.id ? -1 : 1;
  });
  const taken: Array<[string, bigint]> = [];
  let left = amount;
  for (const grant of usable) {
    if (left === 0n) break;
    const take = grant.balance < left ? grant.balance : left;
    grant.balance -= take;
    left -= take;
    taken.push([grant.id, take]);
  }
  return taken;
}

const scopeArbitrary = fc.constantFrom<Scope>("all", "all", "agent-product", "tokens-meter");
const commandArbitrary = fc.oneof(
  fc.record({
    type: fc.constant("issue" as const),
    amount: fc.bigInt({ min: 1n, max: 50_000_000n }),
    category: fc.constantFrom<GrantCategory>("promotional", "goodwill", "paid"),
    priority: fc.integer({ min: 0, max: 2 }),
    // Few distinct values, so ties on priority and expiry (where category and age decide) are common.
    expiresInHours: fc.option(fc.constantFrom(6, 12, 24), { nil: null, freq: 2 }),
    scope: scopeArbitrary,
  }),
  fc.record({
    type: fc.constant("burn" as const),
    amount: fc.bigInt({ min: 1n, max: 80_000_000n }),
    usage: fc.record({ productKey: fc.constantFrom("agent" as const, "editor" as const), meterKey: fc.constantFrom("llm_tokens" as const, "seats" as const) }),
  }),
  fc.constant({ type: "expire" as const }),
  fc.record({ type: fc.constant("advance" as const), hours: fc.integer({ min: 1, max: 12 }) }),
);

let database: TestDatabase;
const clock = fixedClock("2026-01-01T00:00:00Z");
const actor = systemActor("grants-property");
let sequence = 0;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe("burn-down and expiry against a model", () => {
  it("keeps every grant's balance and every burn equal to the model, never below zero", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandArbitrary, { minLength: 1, maxLength: 14 }), async (commands) => {
        const customerId = await createTestCustomer(database.db);
        const model: ModelGrant[] = [];
        for (const command of commands) {
          const key = `prop-${++sequence}`;
          const nowMs = clock.now().getTime();
          if (command.type === "issue") {
            const { grant } = await issueGrant(database.db, actor, clock, {
              customerId,
              amountMicros: command.amount,
              category: command.category,
              priority: command.priority,
              expiresAt: command.expiresInHours === null ? null : new Date(nowMs + command.expiresInHours * hourMs),
              appliesTo: command.scope === "all" ? { type: "all" } : command.scope === "agent-product" ? { type: "products", productKeys: ["agent"] } : { type: "meters", meterKeys: ["llm_tokens"] },
              source: command.category === "paid" ? "purchase" : "promotion",
              idempotencyKey: key,
            });
            model.push({
              id: grant.id,
              category: command.category,
              priority: command.priority,
              issuedAtMs: nowMs,
              expiresAtMs: command.expiresInHours === null ? null : nowMs + command.expiresInHours * hourMs,
              scope: command.scope,
              balance: command.amount,
              swept: false,
            });
          } else if (command.type === "burn") {
            const expected = modelBurn(model, command.amount, command.usage, nowMs);
            const result = await burnGrants(database.db, { customerId, currency: "usd", amountMicros: command.amount, scope: command.usage, at: clock.now(), idempotencyKey: key, actor }, { clock });
            expect(result.covered.map((item) => [item.grantId, item.amountMicros])).toEqual(expected);
            const covered = expected.reduce((sum, [, amount]) => sum + amount, 0n);
            expect(result.coveredMicros).toBe(covered);
            expect(result.uncoveredMicros).toBe(command.amount - covered);
          } else if (command.type === "expire") {
            await expireGrants(database.db, clock);
            for (const grant of model) {
              if (!grant.swept && grant.expiresAtMs !== null && grant.expiresAtMs <= nowMs) {
                grant.swept = true;
                grant.balance = 0n;
              }
            }
          } else {
            clock.advanceMs(command.hours * hourMs);
          }
          const actual = await listCustomerGrants(database.db, customerId, clock.now());
          const balances = new Map(actual.map((view) => [view.id, view.remainingMicros]));
          for (const grant of model) {
            expect(balances.get(grant.id), `grant ${grant.id} after ${command.type}`).toBe(grant.balance);
            expect(grant.balance >= 0n).toBe(true);
          }
          for (const view of actual) expect(view.remainingMicros >= 0n).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
    await expectLedgerConsistent(database.db);
  }, 240_000);
});
