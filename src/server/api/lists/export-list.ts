import { Readable } from "node:stream";
import type { ZodType } from "zod";
import type { Db } from "@/db/client";
import { isDomainError } from "@/server/errors";
import { createCsvStringifier } from "@/lib/csv";
import { microsToDecimal } from "@/server/reports/export/write-report";
import type { Permission } from "../permissions";
import { parseView, type UrlParams } from "./list-view";

export type ExportCell = string | number | bigint | Date | null;
export type ExportColumn<Row> = { label: string; type?: "money"; value: (row: Row) => ExportCell };

/** Who is exporting, for views that name them (`assignee=me`). */
export type ListViewer = { userId: string };

/** One console list's CSV export: the same zod schema and list function as its page. */
export type ListExport<Input extends { cursor?: string | undefined; limit: number }, Row> = {
  permission: Permission;
  filename: string;
  schema: ZodType<Input>;
  list: (db: Db, input: Input, viewer: ListViewer | undefined) => Promise<{ items: Row[]; nextCursor: string | null }>;
  columns: ExportColumn<Row>[];
};

/** Rows per keyset page while exporting, and the most rows one file holds. */
export const exportPageRows = 1000;
export const exportRowsMax = 1_000_000;

function cell(column: ExportColumn<never>, value: ExportCell): string {
  if (value === null) return "";
  if (column.type === "money") return microsToDecimal(typeof value === "bigint" ? value : BigInt(value as string | number));
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function errorResponse(status: number, code: string, message: string, param?: string): Response {
  return Response.json({ error: { code, message, ...(param ? { param } : {}) } }, { status, headers: { "cache-control": "no-store" } });
}

/**
 * The current filtered and sorted view as CSV, streamed page by keyset page (never the whole
 * result in memory), text cells formula-escaped. Bad parameters answer 400 in the API's JSON
 * error shape before any byte of the file; the first page is read before answering, so a
 * database error is a 5xx, not a truncated file.
 */
export async function exportListResponse<Input extends { cursor?: string | undefined; limit: number }, Row>(
  db: Db,
  definition: ListExport<Input, Row>,
  params: UrlParams,
  viewer?: ListViewer,
): Promise<Response> {
  const parsed = parseView(definition.schema, params, { limit: exportPageRows, cursor: undefined });
  if (!parsed.ok) return errorResponse(400, "parameter_invalid", parsed.message, parsed.param);
  const input = parsed.input;
  let first: { items: Row[]; nextCursor: string | null };
  try {
    first = await definition.list(db, input, viewer);
  } catch (error) {
    if (isDomainError(error) && error.kind === "invalid") return errorResponse(400, error.code, error.message, error.param);
    throw error;
  }
  async function* records(): AsyncGenerator<string[]> {
    let page = first;
    let written = 0;
    for (;;) {
      for (const row of page.items) {
        if (written >= exportRowsMax) return;
        written += 1;
        yield definition.columns.map((column) => cell(column as ExportColumn<never>, column.value(row)));
      }
      if (!page.nextCursor) return;
      page = await definition.list(db, { ...input, cursor: page.nextCursor } as Input, viewer);
    }
  }
  const csv = createCsvStringifier(definition.columns.map((column) => column.label));
  const source = Readable.from(records());
  source.on("error", (error) => csv.destroy(error));
  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(Readable.toWeb(source.pipe(csv)) as ReadableStream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${definition.filename}_${stamp}.csv"`,
      "cache-control": "no-store",
    },
  });
}
