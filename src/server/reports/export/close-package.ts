import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { eq } from "drizzle-orm";
import yazl from "yazl";
import type { Db } from "@/db/client";
import { accountingPeriods } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { monthFromKey } from "../periods/month";
import { runReport } from "../registry";
import { dateOf, type Report } from "../report-model";
import { microsToDecimal, reportCsv, writeReportXlsx } from "./write-report";

export type ClosePackageFile = { name: string; bytes: number; sha256: string };
export type ClosePackageManifest = {
  month: string;
  closedAt: string;
  closedBy: string;
  generatedAt: string;
  files: ClosePackageFile[];
  totals: Array<{ report: string; label: string; currency: string; report_total: string; ledger: string; agrees: boolean }>;
};

/**
 * The close package of a closed month: trial balance (at the month's end), revenue, aging,
 * credits liability, cash (by day) and adjustments for the month, each as CSV and XLSX, plus
 * `manifest.json` with the totals (each report's reconciliation with the trial balance) and a
 * SHA-256 per file. Each file is streamed to a temporary directory while it is hashed, then the
 * zip is streamed from there (memory stays flat); the directory is removed when the zip is read.
 */
export async function buildClosePackage(db: Db, input: { month: string; now: Date }): Promise<{ name: string; stream: Readable; manifest: ClosePackageManifest }> {
  const month = monthFromKey(input.month);
  const [period] = await db.select().from(accountingPeriods).where(eq(accountingPeriods.periodStart, month.start));
  if (!period || period.status !== "closed") {
    throw new DomainError("precondition", "period_not_closed", `${month.key} is not closed; close it first, then download its package.`);
  }
  const first = dateOf(month.start);
  const last = dateOf(new Date(month.end.getTime() - 1));
  const reports: Array<[string, Report]> = [
    ["trial-balance", await runReport(db, "trial-balance", { asOf: last, hideZero: true })],
    ["revenue", await runReport(db, "revenue", { from: month.key, to: month.key })],
    ["aging", await runReport(db, "aging", { asOf: last })],
    ["credits-liability", await runReport(db, "credits", { from: first, to: last })],
    ["cash", await runReport(db, "cash", { from: first, to: last, granularity: "day" })],
    ["adjustments", await runReport(db, "adjustments", { from: first, to: last })],
  ];
  const directory = await fs.promises.mkdtemp(path.join(os.tmpdir(), "tally-close-"));
  try {
    const files: ClosePackageFile[] = [];
    for (const [name, report] of reports) {
      files.push(await writeHashed(path.join(directory, `${name}.csv`), (out) => pipeline(reportCsv(report), out)));
      files.push(await writeHashed(path.join(directory, `${name}.xlsx`), (out) => writeReportXlsx(report, out)));
    }
    const manifest: ClosePackageManifest = {
      month: month.key,
      closedAt: period.closedAt.toISOString(),
      closedBy: period.closedByLabel,
      generatedAt: input.now.toISOString(),
      files,
      totals: reports.flatMap(([name, report]) =>
        report.reconciliation.map((line) => ({
          report: name,
          label: line.label,
          currency: line.currency,
          report_total: microsToDecimal(line.report),
          ledger: microsToDecimal(line.ledger),
          agrees: line.report === line.ledger,
        })),
      ),
    };
    const zip = new yazl.ZipFile();
    for (const file of files) zip.addFile(path.join(directory, file.name), `close-${month.key}/${file.name}`);
    zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), `close-${month.key}/manifest.json`);
    zip.end();
    const out = new PassThrough();
    const cleanup = () => void fs.promises.rm(directory, { recursive: true, force: true });
    out.on("close", cleanup);
    out.on("end", cleanup);
    zip.outputStream.on("error", (error) => out.destroy(error));
    zip.outputStream.pipe(out);
    return { name: `tally-close-${month.key}.zip`, stream: out, manifest };
  } catch (error) {
    await fs.promises.rm(directory, { recursive: true, force: true });
    throw error;
  }
}

async function writeHashed(file: string, write: (out: PassThrough) => Promise<void>): Promise<ClosePackageFile> {
  const hash = crypto.createHash("sha256");
  const tee = new PassThrough();
  let bytes = 0;
  tee.on("data", (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  const written = pipeline(tee, fs.createWriteStream(file));
  await write(tee);
  await written;
  return { name: path.basename(file), bytes, sha256: hash.digest("hex") };
}
