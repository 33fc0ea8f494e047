import { createTRPCRouter } from "../../trpc";
import { getCustomer } from "./get-customer";
import { listEvents } from "./list-events";
import { eventTypes, listEventsView } from "./list-events-view";
import { invoicePaymentState, listPaymentsProcedure } from "./list-payments";
import { listSyncFailuresProcedure } from "./list-sync-failures";
import { replayEvent } from "./replay-event";

export const stripeRouter = createTRPCRouter({ getCustomer, listEvents, listEventsView, eventTypes, listSyncFailures: listSyncFailuresProcedure, replayEvent, listPayments: listPaymentsProcedure, invoicePaymentState });
