import { TRPCError } from "@trpc/server";
import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Alert } from "@/components/ui/alert";
import { can } from "@/server/api/permissions";
import { isDomainError } from "@/server/errors";
import type { Report } from "@/server/reports/report-model";
import { getServerApi } from "@/trpc/server";
import { ReportForm } from "../../reports/report-form";
import { reportPages } from "../../reports/report-pages";
import { ReportView } from "../../reports/report-view";
import { JournalExportForm } from "./journal-export-form";

/** The trial balance at the end of a picked day, with names, subtotals and zero balances hidden; a bad date is explained, never replaced by now. */
export default async function TrialBalancePage({ searchParams }: { searchParams: Promise<{ asOf?: string; hideZero?: string }> }) {
  const user = await requirePermission("ledger.read");
  const params = await searchParams;
  const page = reportPages.find((each) => each.key === "trial-balance")!;
  const values = { ...page.defaults(), ...(params.asOf !== undefined ? { asOf: params.asOf } : {}), ...(params.hideZero !== undefined ? { hideZero: params.hideZero } : {}) };
  let report: Report | null = null;
  let failure: string | null = null;
  try {
    const api = await getServerApi();
    report = await api.report.trialBalance({ asOf: values.asOf ?? "", hideZero: values.hideZero !== "false" });
  } catch (error) {
    const cause = error instanceof TRPCError ? error.cause : error;
    if (isDomainError(cause)) failure = cause.message;
    else if (error instanceof TRPCError && error.code === "BAD_REQUEST") failure = `As of: "${String(values.asOf).slice(0, 40)}" is not a date; pick one.`;
    else throw error;
  }
  const exportAllowed = can(user.role, "ledger.export");
  const asOf = report ? (values.asOf ?? "") : new Date().toISOString().slice(0, 10);
  const monthStart = `${asOf.slice(0, 7)}-01`;
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Trial balance"
        description="Every account's posted balance at the end of the day you pick (UTC), by group, with debits equal to credits in each currency."
        actions={
          <Link className="text-sm text-muted-foreground hover:underline" href="/reports">
            All reports
          </Link>
        }
      />
      <ReportForm key={JSON.stringify(values)} path="/ledger/trial-balance" fields={page.fields} initial={values} serverError={failure ? { field: "asOf", message: failure } : undefined} />
      {failure ? <Alert variant="destructive">{failure}</Alert> : null}
      {exportAllowed ? <JournalExportForm from={monthStart} to={asOf} /> : null}
      {report ? <ReportView report={report} exportQuery={new URLSearchParams({ asOf: values.asOf ?? "", hideZero: values.hideZero ?? "true" }).toString()} canExport={can(user.role, "reports.export")} /> : null}
    </div>
  );
}
