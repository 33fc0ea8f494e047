import { createTRPCRouter } from "../../trpc";
import { extendGrace } from "./extend-grace";
import { get } from "./get";
import { retryNow } from "./retry-now";
import { sendInvoiceLinkProcedure } from "./send-invoice-link";

export const dunningRouter = createTRPCRouter({ get, retryNow, extendGrace, sendInvoiceLink: sendInvoiceLinkProcedure });
