import type { Route } from "./router";
import { catalogRoutes } from "./resources/catalog";
import { customerRoutes } from "./resources/customers";
import { invoiceItemRoutes } from "./resources/invoice-items";
import { invoiceRoutes } from "./resources/invoices";
import { meterRoutes } from "./resources/meters";
import { paymentMethodRoutes } from "./resources/payment-methods";
import { paymentRoutes } from "./resources/payments";
import { subscriptionRoutes } from "./resources/subscriptions";
import { testClockRoutes } from "./resources/test-clocks";
import { webhookEndpointRoutes } from "./resources/webhook-endpoints";

export const allRoutes: Route[] = [
  ...customerRoutes,
  ...paymentMethodRoutes,
  ...catalogRoutes,
  ...subscriptionRoutes,
  ...invoiceRoutes,
  ...invoiceItemRoutes,
  ...paymentRoutes,
  ...meterRoutes,
  ...testClockRoutes,
  ...webhookEndpointRoutes,
];
