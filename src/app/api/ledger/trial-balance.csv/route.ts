import { Readable } from "node:stream";
import { z } from "zod";
import { getDb } from "@/db/client";
import { requireSessionPermission } from "@/server/auth/require-api-permission";
import { streamTrialBalanceCsv } from "@/server/ledger/stream-trial-balance-csv";

export const dynamic = "force-dynamic";

const query = z.object({ asOf: z.coerce.date() });

export async function GET(request: Request): Promise<Response> {
  const user = await requireSessionPermission("ledger.export");
  if (user instanceof Response) return user;
  const parsed = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) {
    return Response.json({ error: { code: "invalid_as_of", message: "Give asOf as a date or time, e.g. ?asOf=2026-11-30T23:59:59Z." } }, { status: 400 });
  }
  const stream = streamTrialBalanceCsv(await getDb(), parsed.data);
  return new Response(Readable.toWeb(stream) as ReadableStream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="trial_balance_${parsed.data.asOf.toISOString().slice(0, 10)}.csv"`,
      "cache-control": "no-store",
    },
  });
}
