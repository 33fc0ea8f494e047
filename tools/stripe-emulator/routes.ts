import type { Route } from "./router";
import { balanceRoutes } from "./resources/balance";
import { billingPortalRoutes } from "./resources/billing-portal";
import { catalogRoutes } from "./resources/catalog";
import { creditNoteRoutes } from "./resources/credit-notes";
import { customerRoutes } from "./resources/customers";
import { invoiceItemRoutes } from "./resources/invoice-items";
import { invoiceRoutes } from "./resources/invoices";
import { meterRoutes } from "./resources/meters";
import { paymentMethodRoutes } from "./resources/payment-methods";
import { paymentRoutes } from "./resources/payments";
import { subscriptionScheduleRoutes } from "./resources/subscription-schedules";
import { subscriptionRoutes } from "./resources/subscriptions";
import { testClockRoutes } from "./resources/test-clocks";
import { webhookEndpointRoutes } from "./resources/webhook-endpoints";

export const allRoutes: Route[] = [
  ...customerRoutes,
  ...paymentMethodRoutes,
  ...catalogRoutes,
  ...subscriptionRoutes,
  ...subscriptionScheduleRoutes,
  ...invoiceRoutes,
  ...invoiceItemRoutes,
  ...creditNoteRoutes,
  ...paymentRoutes,
  ...balanceRoutes,
  ...meterRoutes,
  ...testClockRoutes,
  ...webhookEndpointRoutes,
  ...billingPortalRoutes,
];
