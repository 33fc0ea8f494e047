import { createTRPCRouter } from "../../trpc";
import { getCustomer } from "./get-customer";
import { listCustomerPaymentsViewProcedure } from "./list-customer-payments-view";
import { eventTypes, listEventsView } from "./list-events-view";
import { invoicePaymentState, listPaymentsProcedure } from "./list-payments";
import { listSyncFailuresViewProcedure, syncFailureKinds } from "./list-sync-failures";
import { replayEvent } from "./replay-event";

export const stripeRouter = createTRPCRouter({ getCustomer, listEventsView, eventTypes, listSyncFailuresView: listSyncFailuresViewProcedure, syncFailureKinds, replayEvent, listPayments: listPaymentsProcedure, listCustomerPaymentsView: listCustomerPaymentsViewProcedure, invoicePaymentState });
