import { z } from "zod";
import { grantCategories, grantSources } from "@/db/schema";

/** Bounds shared by every grant entry point. */
export const grantLimits = {
  /** One grant: at most 10^9 of the currency (the ledger's per-entry bound). */
  amountMicrosMax: 1_000_000_000_000_000n,
  keysMax: 50,
  reasonLengthMax: 500,
  idempotencyKeyLengthMax: 180,
  /** A burn posts one entry per grant it takes from, plus the unbilled entry (the ledger allows 128). */
  grantsPerBurnMax: 127,
  /** Grants read for one customer's page. */
  listMax: 200,
  expiryBatchMax: 200,
  expiryBatchesPerRunMax: 50,
} as const;

const key = z.string().trim().min(1).max(100);

export const grantAppliesToSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("all") }),
  z.object({ type: z.literal("products"), productKeys: z.array(key).min(1).max(grantLimits.keysMax) }),
  z.object({ type: z.literal("meters"), meterKeys: z.array(key).min(1).max(grantLimits.keysMax) }),
]);
export type GrantAppliesTo = z.infer<typeof grantAppliesToSchema>;

export const amountMicrosSchema = z
  .bigint()
  .refine((value) => value > 0n && value <= grantLimits.amountMicrosMax, "The amount must be more than zero and at most 1,000,000,000.");

export const idempotencyKeySchema = z.string().min(1).max(grantLimits.idempotencyKeyLengthMax);

export const issueGrantSchema = z.object({
  customerId: z.uuid(),
  amountMicros: amountMicrosSchema,
  /** Defaults to the customer's currency. */
  currency: z.string().regex(/^[a-z]{3}$/).optional(),
  category: z.enum(grantCategories),
  appliesTo: grantAppliesToSchema.default({ type: "all" }),
  /** Defaults to now. */
  effectiveAt: z.date().optional(),
  expiresAt: z.date().nullable().default(null),
  priority: z.number().int().min(0).max(1_000_000).default(100),
  source: z.enum(grantSources),
  sourceReference: z.string().max(200).default(""),
  reason: z.string().max(grantLimits.reasonLengthMax).default(""),
  idempotencyKey: idempotencyKeySchema,
});
export type IssueGrantInput = z.input<typeof issueGrantSchema>;
