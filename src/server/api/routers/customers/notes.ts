import { z } from "zod";
import { addCustomerNote, addCustomerNoteInput, listCustomerNotes, listCustomerNotesInput } from "@/server/customers/customer-notes";
import { countCustomerNotes, listCustomerNoteAuthors } from "@/server/customers/list-customer-notes-view";
import { customerNotesView, listCustomerNotesForView } from "../../lists/customer-lists";
import { authorizedProcedure, createTRPCRouter } from "../../trpc";

const customerInput = z.object({ customerId: z.uuid() });

/** Support's notes on a customer: support and admin write, everyone who reads the customer reads them. */
export const noteRouter = createTRPCRouter({
  list: authorizedProcedure("customers.read")
    .input(listCustomerNotesInput)
    .query(({ ctx, input }) => listCustomerNotes(ctx.db, input)),
  /** Every note, paged, sorted and filtered (the export reads the same view). */
  listView: authorizedProcedure("customers.read")
    .input(customerNotesView.extend({ limit: z.number().int().min(1).max(200).default(50) }))
    .query(({ ctx, input }) => listCustomerNotesForView(ctx.db, input)),
  authors: authorizedProcedure("customers.read")
    .input(customerInput)
    .query(({ ctx, input }) => listCustomerNoteAuthors(ctx.db, input.customerId)),
  count: authorizedProcedure("customers.read")
    .input(customerInput)
    .query(({ ctx, input }) => countCustomerNotes(ctx.db, input.customerId)),
  add: authorizedProcedure("customers.notes.write")
    .input(addCustomerNoteInput)
    .mutation(({ ctx, input }) => addCustomerNote(ctx.db, input, { actor: ctx.actor })),
});
