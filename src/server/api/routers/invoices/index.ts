import { createTRPCRouter } from "../../trpc";
import { closeDue } from "./close-due";
import { get } from "./get";
import { list } from "./list";
import { previewUnbilled } from "./preview-unbilled";

export const invoiceRouter = createTRPCRouter({ list, get, previewUnbilled, closeDue });
