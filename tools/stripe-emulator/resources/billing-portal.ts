import type Stripe from "stripe";
import { route, type Route } from "../router";

/**
 * Customer portal sessions (where a customer adds or updates a payment method): answered locally
 * with Stripe's shape. The URL is Stripe's form of a test-mode portal link; nothing serves it offline.
 */
export const billingPortalRoutes: Route[] = [
  route("POST", "/v1/billing_portal/sessions", ({ engine, params }) => {
    const customer = engine.store.require("customer", params.requiredString("customer"));
    const id = engine.id("bps");
    const session: Stripe.BillingPortal.Session = {
      id,
      object: "billing_portal.session",
      configuration: "bpc_emulator_default",
      created: engine.nowForCustomer(customer.id),
      customer: customer.id,
      customer_account: null,
      flow: null,
      livemode: false,
      locale: null,
      on_behalf_of: null,
      return_url: params.string("return_url", { maxLength: 2000 }) ?? null,
      url: `https://billing.stripe.com/p/session/test_${id.slice(4)}`,
    } as Stripe.BillingPortal.Session;
    return session;
  }),
];
