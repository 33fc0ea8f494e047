import { z } from "zod";
import { can } from "@/server/api/permissions";
import { searchGlobal, type SearchScope } from "@/server/search/search-global";
import { authorizedProcedure, createTRPCRouter } from "../../trpc";

/** ⌘K: customers, invoices and promotion codes, each kind only for roles that may read it. */
const global = authorizedProcedure("customers.read")
  .input(z.object({ query: z.string().max(200) }))
  .query(({ ctx, input }) => {
    const scopes: SearchScope[] = ["customers"];
    if (can(ctx.user.role, "billing.read")) scopes.push("invoices");
    if (can(ctx.user.role, "promotions.read")) scopes.push("promotions");
    return searchGlobal(ctx.db, { query: input.query, scopes });
  });

export const searchRouter = createTRPCRouter({ global });
