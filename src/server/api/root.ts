import { auditRouter } from "./routers/audit";
import { customerRouter } from "./routers/customers";
import { sessionRouter } from "./routers/session";
import { userRouter } from "./routers/users";
import { createCallerFactory, createTRPCRouter } from "./trpc";

/** Resource, then verb: `customer.list`, `ledger.transaction.reverse`. Each domain adds its router here. */
export const appRouter = createTRPCRouter({
  session: sessionRouter,
  customer: customerRouter,
  user: userRouter,
  audit: auditRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
