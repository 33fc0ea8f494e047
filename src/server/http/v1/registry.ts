import { checkEntitlementOperation } from "../endpoints/check-entitlement-endpoint";
import { ingestEventsOperation } from "../endpoints/ingest-events-endpoint";
import type { AnyOperation } from "./operation";
import { listAnomaliesOperation } from "./operations/anomalies";
import { creditOperations } from "./operations/credits";
import { archiveCustomerOperation, createCustomer, createPaymentSetupOperation, getCustomerOperation, listCustomers, updateCustomerOperation } from "./operations/customers";
import { getInvoiceOperation, getUpcomingInvoice, listCustomerInvoices } from "./operations/invoices";
import { listPlansOperation } from "./operations/plans";
import {
  cancelSubscriptionOperation,
  changeSubscriptionOperation,
  createSubscriptionOperation,
  getSubscriptionOperation,
  listSubscriptionsOperation,
  previewSubscriptionChangeOperation,
  resumeSubscriptionOperation,
  setSpendLimitOperation,
} from "./operations/subscriptions";
import { consumeReservationOperation, getCustomerUsageOperation, listCustomerEntitlements, redeemPromotionOperation, releaseReservationOperation } from "./operations/usage-entitlements";
import { createRouter } from "./router";

/**
 * Every operation of /api/v1, in the order the reference shows them. The router, the OpenAPI
 * document, the scope test and the contract test all read this list: an operation exists in all
 * of them or in none.
 */
export const operations: readonly AnyOperation[] = [
  createCustomer,
  listCustomers,
  getCustomerOperation,
  updateCustomerOperation,
  archiveCustomerOperation,
  createPaymentSetupOperation,
  createSubscriptionOperation,
  listSubscriptionsOperation,
  getSubscriptionOperation,
  previewSubscriptionChangeOperation,
  changeSubscriptionOperation,
  cancelSubscriptionOperation,
  resumeSubscriptionOperation,
  setSpendLimitOperation,
  listPlansOperation,
  listCustomerInvoices,
  getInvoiceOperation,
  getUpcomingInvoice,
  ...creditOperations,
  ingestEventsOperation,
  getCustomerUsageOperation,
  checkEntitlementOperation,
  listCustomerEntitlements,
  consumeReservationOperation,
  releaseReservationOperation,
  redeemPromotionOperation,
  listAnomaliesOperation,
];

export const matchOperation = createRouter(operations);
