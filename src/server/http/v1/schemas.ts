import { z } from "zod";

/*
 * Shapes shared by every operation of /api/v1. Response objects are strict (no property the spec
 * does not name), so a handler that returns something new fails the response check in tests and
 * the contract test's validation against the published spec.
 */

export const microsString = z.string().regex(/^-?\d{1,30}$/).meta({ description: "An amount in micro-units of the currency (1 USD = 1,000,000), as a string of digits.", example: "12500000" });
export const cents = z.number().int().meta({ description: "The same amount in the currency's minor unit (cents), rounded half to even once, as Stripe shows it.", example: 1250 });
export const timestamp = z.iso.datetime({ offset: true }).meta({ description: "RFC 3339 time (UTC).", example: "2026-12-01T00:00:00.000Z" });
export const decimalString = z.string().regex(/^-?\d{1,20}(\.\d{1,12})?$/).meta({ description: "An exact decimal quantity, as a string.", example: "1500.5" });
export const currency = z.string().regex(/^[a-z]{3}$/).meta({ description: "ISO 4217 currency code, lower case.", example: "usd" });

export const errorObject = z
  .strictObject({
    error: z.strictObject({
      code: z.string().meta({ description: "Stable machine-readable code, e.g. `parameter_invalid`, `customer_not_found`, `idempotency_key_reused`." }),
      message: z.string().meta({ description: "What went wrong and what to do, for a person." }),
      param: z.string().nullable().meta({ description: "The request parameter at fault (`email`, `metadata.plan`, `Idempotency-Key`), or null." }),
      request_id: z.string().meta({ description: "This request's id (also the `x-request-id` header): quote it to support." }),
      details: z.record(z.string(), z.unknown()).optional().meta({ description: "Structured extras for some codes (limits, required scope)." }),
    }),
  })
  .meta({ id: "Error", description: "The one error shape of /api/v1." });

export type ListPage<T> = { object: "list"; data: T[]; has_more: boolean; url: string };

/** A page of a list: `data` in order, `has_more` when another page follows (ask again with `starting_after` = the last item's id). */
export function listOf<T extends z.ZodType>(item: T, id: string, description: string) {
  return z
    .strictObject({
      object: z.literal("list"),
      data: z.array(item),
      has_more: z.boolean(),
      url: z.string().meta({ description: "The list's path." }),
    })
    .meta({ id, description });
}

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(10).meta({ description: "Items per page, 1 to 100 (default 10)." }),
  starting_after: z.string().min(1).max(255).optional().meta({ description: "A cursor: the id of the last item of the previous page." }),
};

export const customerParam = z.string().min(1).max(256).meta({ description: "The customer's external id (the product's own id for them) or Tally's id.", example: "usr_0001_katherine-kowalski" });

export const metadataPatch = z
  .record(z.string().max(40), z.string().max(500).nullable())
  .meta({ description: 'Up to 50 keys (1–40 letters, digits, `_ . : -`), values up to 500 characters. A key set to "" or null is removed; keys not named are kept.' });

export const reason = z.string().trim().min(3).max(500).optional().meta({ description: "Why (kept in the audit log). Defaults to the API key's name." });
