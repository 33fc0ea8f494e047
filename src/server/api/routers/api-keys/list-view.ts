import { z } from "zod";
import { listApiKeysView } from "@/server/api-keys/list-api-keys-view";
import { apiKeysView } from "../../lists/admin-lists";
import { authorizedProcedure } from "../../trpc";

/** The console's API keys view (the export reads the same view). */
export const listView = authorizedProcedure("apiKeys.manage")
  .input(apiKeysView.extend({ limit: z.number().int().min(1).max(200).default(50) }))
  .query(({ ctx, input }) => listApiKeysView(ctx.db, input));
