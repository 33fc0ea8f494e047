import { createTRPCRouter } from "../../trpc";
import { customerRequests } from "./customer-requests";
import { decide } from "./decide";
import { list } from "./list";
import { request } from "./request";
import { requests } from "./requests";

export const grantRouter = createTRPCRouter({ list, request, requests, customerRequests, decide });
