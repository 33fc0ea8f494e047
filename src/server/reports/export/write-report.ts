import { PassThrough, Readable, type Writable } from "node:stream";
import ExcelJS from "exceljs";
import { createCsvStringifier, escapeCsvFormula } from "@/lib/csv";
import type { Report, ReportCell, ReportColumn } from "../report-model";

/** Micro-units as an exact decimal string in currency units, for files (`1500000n` → `1.500000`). */
export function microsToDecimal(micros: bigint): string {
  const negative = micros < 0n;
  const absolute = negative ? -micros : micros;
  return `${negative ? "-" : ""}${absolute / 1_000_000n}.${(absolute % 1_000_000n).toString().padStart(6, "0")}`;
}

function csvCell(column: ReportColumn, value: ReportCell | undefined): string {
  if (value === null || value === undefined) return "";
  if (column.type === "money") return microsToDecimal(typeof value === "bigint" ? value : BigInt(value));
  // Strings are escaped against formulas by the CSV writer itself (createCsvStringifier).
  return String(value);
}

/** Rows as arrays of export cells, a subtotal marked in a leading `line` column. */
async function* records(report: Report): AsyncGenerator<string[]> {
  for (const row of report.rows) {
    yield [row.subtotal ? "subtotal" : "detail", ...report.columns.map((column) => csvCell(column, row.cells[column.key]))];
  }
}

/** The report's table as CSV, written row by row with back-pressure. */
export function reportCsv(report: Report): Readable {
  const csv = createCsvStringifier(["line", ...report.columns.map((column) => column.label)]);
  const source = Readable.from(records(report));
  source.on("error", (error) => csv.destroy(error));
  return source.pipe(csv);
}

/** Money as a number cell when it converts exactly back to micro-units, else as the exact decimal text. */
function xlsxCell(column: ReportColumn, value: ReportCell | undefined): string | number | null {
  if (value === null || value === undefined) return null;
  if (column.type === "money") {
    const micros = typeof value === "bigint" ? value : BigInt(value);
    const absolute = micros < 0n ? -micros : micros;
    return absolute <= 9_007_199_254_740_991n ? Number(micros) / 1_000_000 : microsToDecimal(micros);
  }
  if (column.type === "integer") return typeof value === "number" ? value : Number(value);
  return typeof value === "string" ? escapeCsvFormula(value) : String(value);
}

/**
 * The report as an XLSX workbook written with exceljs's streaming writer (each row committed as it
 * is written, so memory stays flat): sheet 1 the table (subtotals bold), sheet 2 the parameters,
 * the reconciliation with the trial balance and the notes.
 */
export async function writeReportXlsx(report: Report, output: Writable): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(report.title.slice(0, 31).replace(/[\\/?*[\]:]/g, " "), { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = [{ header: "Line", key: "line", width: 10 }, ...report.columns.map((column) => ({ header: column.label, key: column.key, width: column.type === "text" ? 28 : 16 }))];
  report.columns.forEach((column, index) => {
    if (column.type === "money") sheet.getColumn(index + 2).numFmt = "#,##0.00####;-#,##0.00####";
  });
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  for (const row of report.rows) {
    const added = sheet.addRow([row.subtotal ? "subtotal" : "detail", ...report.columns.map((column) => xlsxCell(column, row.cells[column.key]))]);
    if (row.subtotal) added.font = { bold: true };
    added.commit();
  }
  sheet.commit();
  const about = workbook.addWorksheet("About");
  about.columns = [{ key: "a", width: 50 }, { key: "b", width: 24 }, { key: "c", width: 24 }, { key: "d", width: 24 }];
  about.addRow([report.title]).commit();
  for (const parameter of report.parameters) about.addRow([parameter.label, parameter.value]).commit();
  if (report.reconciliation.length > 0) {
    about.addRow([]).commit();
    about.addRow(["Reconciliation with the trial balance", "Currency", "Report", "Ledger"]).commit();
    for (const line of report.reconciliation) about.addRow([line.label, line.currency, microsToDecimal(line.report), microsToDecimal(line.ledger)]).commit();
  }
  for (const note of report.notes ?? []) about.addRow([note]).commit();
  about.commit();
  await workbook.commit();
}

/** The same as a stream to hand to a Response. */
export function reportXlsx(report: Report): Readable {
  const pass = new PassThrough();
  writeReportXlsx(report, pass).catch((error: unknown) => pass.destroy(error as Error));
  return pass;
}
