import { createTRPCRouter } from "../../trpc";
import { getCustomer } from "./get-customer";
import { listEvents } from "./list-events";
import { invoicePaymentState, listPaymentsProcedure } from "./list-payments";
import { listSyncFailuresProcedure } from "./list-sync-failures";
import { replayEvent } from "./replay-event";

export const stripeRouter = createTRPCRouter({ getCustomer, listEvents, listSyncFailures: listSyncFailuresProcedure, replayEvent, listPayments: listPaymentsProcedure, invoicePaymentState });
