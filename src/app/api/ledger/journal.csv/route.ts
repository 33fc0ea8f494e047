import { Readable } from "node:stream";
import { z } from "zod";
import { getDb } from "@/db/client";
import { requireSessionPermission } from "@/server/auth/require-api-permission";
import { streamJournalCsv } from "@/server/ledger/stream-journal-csv";

export const dynamic = "force-dynamic";

const query = z.object({ from: z.coerce.date(), to: z.coerce.date() }).refine((value) => value.from < value.to, {
  message: "from must be before to",
  path: ["to"],
});

/** Every ledger entry effective in [from, to), streamed page by page so a large export never sits in memory. */
export async function GET(request: Request): Promise<Response> {
  const user = await requireSessionPermission("ledger.export");
  if (user instanceof Response) return user;
  const parsed = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) {
    return Response.json(
      { error: { code: "invalid_range", message: "Give from and to as dates (e.g. ?from=2026-11-01&to=2026-12-01), from before to." } },
      { status: 400 },
    );
  }
  const stream = streamJournalCsv(await getDb(), parsed.data);
  const name = `journal_${parsed.data.from.toISOString().slice(0, 10)}_${parsed.data.to.toISOString().slice(0, 10)}.csv`;
  return new Response(Readable.toWeb(stream) as ReadableStream, {
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${name}"`, "cache-control": "no-store" },
  });
}
