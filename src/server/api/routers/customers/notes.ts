import { addCustomerNote, addCustomerNoteInput, listCustomerNotes, listCustomerNotesInput } from "@/server/customers/customer-notes";
import { authorizedProcedure, createTRPCRouter } from "../../trpc";

/** Support's notes on a customer: support and admin write, everyone who reads the customer reads them. */
export const noteRouter = createTRPCRouter({
  list: authorizedProcedure("customers.read")
    .input(listCustomerNotesInput)
    .query(({ ctx, input }) => listCustomerNotes(ctx.db, input)),
  add: authorizedProcedure("customers.notes.write")
    .input(addCustomerNoteInput)
    .mutation(({ ctx, input }) => addCustomerNote(ctx.db, input, { actor: ctx.actor })),
});
