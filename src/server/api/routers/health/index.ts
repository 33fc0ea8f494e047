import { createTRPCRouter } from "../../trpc";
import { discrepancies } from "./discrepancies";
import { overview } from "./overview";

export const healthRouter = createTRPCRouter({ overview, discrepancies });
