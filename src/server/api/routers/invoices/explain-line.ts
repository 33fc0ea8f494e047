import { z } from "zod";
import { explainInvoiceLine, listInvoiceLineEvents } from "@/server/invoicing/explain-invoice-line";
import { authorizedProcedure } from "../../trpc";

const lineInput = { invoiceId: z.uuid(), position: z.number().int().min(1).max(100_000) };

/** Why a usage line says what it says: rollups by day, allowance, tiers, rounding, adjustments, Stripe item. */
export const explainLine = authorizedProcedure("billing.read")
  .input(z.object(lineInput))
  .query(({ ctx, input }) => explainInvoiceLine(ctx.db, input));

/** The raw events behind a usage line, oldest first, keyset-paged on (occurred_at, seq). */
export const lineEvents = authorizedProcedure("billing.read")
  .input(
    z.object({
      ...lineInput,
      limit: z.number().int().min(1).max(200).default(25),
      cursor: z.object({ occurredAt: z.date(), seq: z.string().regex(/^[0-9]{1,19}$/) }).optional(),
    }),
  )
  .query(({ ctx, input }) => listInvoiceLineEvents(ctx.db, input));
