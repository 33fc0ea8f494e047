import { jobs } from "@/server/jobs/registry";
import { getAdminHome, getFinanceHome, getProductHome, getSupportHome } from "@/server/home/get-home";
import { authorizedProcedure, createTRPCRouter } from "../../trpc";

/** The numbers each role's home page opens with; each is also reachable by the roles whose pages it links to. */
export const homeRouter = createTRPCRouter({
  support: authorizedProcedure("customers.read").query(({ ctx }) => getSupportHome(ctx.db, ctx.clock.now())),
  product: authorizedProcedure("catalog.read").query(({ ctx }) => getProductHome(ctx.db, ctx.clock.now())),
  finance: authorizedProcedure("ledger.read").query(({ ctx }) => getFinanceHome(ctx.db, ctx.clock.now())),
  admin: authorizedProcedure("stripe.admin").query(({ ctx }) => getAdminHome(ctx.db, ctx.clock.now(), { jobNames: jobs.map((job) => job.name) })),
});
