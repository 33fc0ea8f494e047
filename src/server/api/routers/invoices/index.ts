import { createTRPCRouter } from "../../trpc";
import { closeDue } from "./close-due";
import { compare } from "./compare";
import { explainLine, lineEvents } from "./explain-line";
import { get } from "./get";
import { list } from "./list";
import { listView } from "./list-view";
import { previewUnbilled } from "./preview-unbilled";
import { stripeCheck } from "./stripe-check";

export const invoiceRouter = createTRPCRouter({ list, listView, get, previewUnbilled, closeDue, stripeCheck, explainLine, lineEvents, compare });
