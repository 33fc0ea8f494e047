import { z } from "zod";
import { listUnknownSubjectsForReview } from "@/server/metering/list-unknown-subjects-for-review";
import { authorizedProcedure } from "../../trpc";

/** Subjects whose events named no customer, most events first, with the customer created since (if any). */
export const unknownSubjects = authorizedProcedure("metering.read")
  .input(z.object({ limit: z.number().int().min(1).max(200).default(50) }).default({ limit: 50 }))
  .query(({ ctx, input }) => listUnknownSubjectsForReview(ctx.db, input));
