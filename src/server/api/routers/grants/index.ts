import { createTRPCRouter } from "../../trpc";
import { available } from "./available";
import { customerRequests } from "./customer-requests";
import { decide } from "./decide";
import { limits } from "./limits";
import { list } from "./list";
import { listView } from "./list-view";
import { request } from "./request";
import { requests } from "./requests";
import { setLimit } from "./set-limit";

export const grantRouter = createTRPCRouter({ list, listView, available, request, requests, customerRequests, decide, limits, setLimit });
