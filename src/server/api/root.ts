import { anomalyRouter } from "./routers/anomalies";
import { apiKeyRouter } from "./routers/api-keys";
import { auditRouter } from "./routers/audit";
import { catalogRouter } from "./routers/catalog";
import { customerRouter } from "./routers/customers";
import { dunningRouter } from "./routers/dunning";
import { invoiceRouter } from "./routers/invoices";
import { entitlementRouter } from "./routers/entitlements";
import { grantRouter } from "./routers/grants";
import { homeRouter } from "./routers/home";
import { healthRouter } from "./routers/health";
import { ledgerRouter } from "./routers/ledger";
import { meteringRouter } from "./routers/metering";
import { promotionRouter } from "./routers/promotions";
import { reportRouter } from "./routers/reports";
import { searchRouter } from "./routers/search";
import { sessionRouter } from "./routers/session";
import { stripeRouter } from "./routers/stripe";
import { subscriptionRouter } from "./routers/subscriptions";
import { userRouter } from "./routers/users";
import { webhookEndpointRouter } from "./routers/webhook-endpoints";
import { createCallerFactory, createTRPCRouter } from "./trpc";

/** Resource, then verb: `customer.list`, `ledger.transaction.reverse`. Each domain adds its router here. */
export const appRouter = createTRPCRouter({
  session: sessionRouter,
  customer: customerRouter,
  webhookEndpoint: webhookEndpointRouter,
  user: userRouter,
  audit: auditRouter,
  catalog: catalogRouter,
  subscription: subscriptionRouter,
  invoice: invoiceRouter,
  stripe: stripeRouter,
  entitlement: entitlementRouter,
  ledger: ledgerRouter,
  grant: grantRouter,
  promotion: promotionRouter,
  apiKey: apiKeyRouter,
  metering: meteringRouter,
  dunning: dunningRouter,
  report: reportRouter,
  home: homeRouter,
  health: healthRouter,
  search: searchRouter,
  anomaly: anomalyRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
