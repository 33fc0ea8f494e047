import { listCreditLimits } from "@/server/grants/credit-limits";
import { authorizedProcedure } from "../../trpc";

/** Each issuing role's limit per goodwill credit (above it a credit waits for a finance approver). */
export const limits = authorizedProcedure("grants.read").query(({ ctx }) => listCreditLimits(ctx.db));
