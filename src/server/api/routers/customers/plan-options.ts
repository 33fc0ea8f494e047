import { listCustomerPlanOptions } from "@/server/customers/list-customers";
import { authorizedProcedure } from "../../trpc";

/** The customer list's plan filter choices (support reads them without catalog access). */
export const planOptions = authorizedProcedure("customers.read").query(({ ctx }) => listCustomerPlanOptions(ctx.db));
