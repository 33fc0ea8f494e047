import { Readable } from "node:stream";
import { ZodError } from "zod";
import type { Db } from "@/db/client";
import { httpStatusByKind, isDomainError } from "@/server/errors";
import { getRequestId, logger } from "@/server/observability";
import { reportInputSchemas, runReport } from "../registry";
import { reportKeys, type ReportKey } from "../report-model";
import { reportCsv, reportXlsx } from "./write-report";

/** `{"error":{"code","message","param"}}` with the status a script can act on. */
export function errorResponse(status: number, code: string, message: string, param?: string): Response {
  return Response.json({ error: { code, message, ...(param ? { param } : {}) } }, { status, headers: { "cache-control": "no-store" } });
}

export function errorToResponse(error: unknown): Response {
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    return errorResponse(400, "invalid_input", issue ? `${issue.path.join(".") || "input"}: ${issue.message}` : "The input is not valid.", issue?.path.join("."));
  }
  if (isDomainError(error)) return errorResponse(httpStatusByKind[error.kind], error.code, error.message, typeof error.details?.field === "string" ? error.details.field : undefined);
  // Anything else is ours: the detail (SQL, parameters) goes to the log under the request id, never to the browser.
  const requestId = getRequestId() ?? null;
  logger.error({ err: error, component: "reports" }, "report export failed");
  return Response.json(
    { error: { code: "internal_error", message: `Something went wrong on our side; retry, or quote request ${requestId ?? "(no id)"} to support.`, request_id: requestId } },
    { status: 500, headers: { "cache-control": "no-store" } },
  );
}

/**
 * A report as a CSV or XLSX download, from the query string (the console's export links and
 * scripts use the same URL). Bad input answers 400 with a JSON error before any byte of the file.
 */
export async function exportReportResponse(db: Db, reportKey: string, params: URLSearchParams): Promise<Response> {
  if (!(reportKeys as readonly string[]).includes(reportKey)) return errorResponse(404, "report_not_found", `No report "${reportKey.slice(0, 40)}". Reports: ${reportKeys.join(", ")}.`);
  const key = reportKey as ReportKey;
  const format = params.get("format") ?? "csv";
  if (format !== "csv" && format !== "xlsx") return errorResponse(400, "format_invalid", "format is csv or xlsx.", "format");
  const raw = Object.fromEntries([...params].filter(([name]) => name !== "format"));
  try {
    const input = reportInputSchemas[key].parse(raw);
    const report = await runReport(db, key, input as never);
    const stamp = Object.values(raw).filter((value) => /^\d{4}-\d{2}(-\d{2})?$/.test(value)).join("_");
    const name = `${key}${stamp ? `_${stamp}` : ""}.${format}`;
    const body = format === "csv" ? reportCsv(report) : reportXlsx(report);
    return new Response(Readable.toWeb(body) as ReadableStream, {
      headers: {
        "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "content-disposition": `attachment; filename="${name}"`,
        "cache-control": "no-store",
      },
    });
  } catch (error) {
    return errorToResponse(error);
  }
}
