import { z } from "zod";
import { listUnknownSubjectsView } from "@/server/metering/list-unknown-subjects-view";
import { unknownSubjectsView as unknownSubjectsViewInput } from "../../lists/unknown-subject-lists";
import { authorizedProcedure } from "../../trpc";

/** Every subject whose events named no customer, paged (the export reads the same view). */
export const unknownSubjectsView = authorizedProcedure("metering.read")
  .input(unknownSubjectsViewInput.extend({ limit: z.number().int().min(1).max(200).default(50) }))
  .query(({ ctx, input }) => listUnknownSubjectsView(ctx.db, input));
