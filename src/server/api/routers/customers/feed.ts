import { listCustomerTimeline, listCustomerTimelineInput } from "@/server/reports/list-customer-timeline";
import { authorizedProcedure } from "../../trpc";

/** Everything that happened to one customer, newest first, filterable by kind, keyset-paged. */
export const feed = authorizedProcedure("customers.read")
  .input(listCustomerTimelineInput)
  .query(({ ctx, input }) => listCustomerTimeline(ctx.db, input));
