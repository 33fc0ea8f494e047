import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Alert } from "@/components/ui/alert";
import { getDb } from "@/db/client";
import { customers } from "@/db/schema";
import { can } from "@/server/api/permissions";
import { isDomainError } from "@/server/errors";
import { reportInputSchemas } from "@/server/reports/registry";
import type { Report, ReportKey } from "@/server/reports/report-model";
import { getServerApi } from "@/trpc/server";
import { ReportForm } from "../report-form";
import { reportPages } from "../report-pages";
import { ReportView } from "../report-view";

type Failure = { field?: string; message: string };

export default async function ReportPage({ params, searchParams }: { params: Promise<{ report: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePermission("reports.read");
  const { report: key } = await params;
  const page = reportPages.find((each) => each.key === key);
  if (!page) notFound();
  const raw = Object.fromEntries(Object.entries(await searchParams).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
  const values = Object.keys(raw).length > 0 ? { ...page.defaults(), ...raw } : page.defaults();
  let report: Report | null = null;
  let failure: Failure | null = null;
  let exportQuery: string | null = null;
  try {
    const input: Record<string, string> = Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ""));
    if (page.key === "statement") {
      const external = (input.customer ?? "").trim();
      delete input.customer;
      if (external) {
        const [customer] = await (await getDb()).select({ id: customers.id }).from(customers).where(eq(customers.externalId, external.slice(0, 200)));
        if (!customer) throw { field: "customer", message: `No customer with external id ${external}.` } satisfies Failure;
        input.customerId = customer.id;
      }
    }
    if (page.key !== "statement" || input.customerId) {
      const parsed = reportInputSchemas[page.key].safeParse(input);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw { field: String(issue.path[0] ?? ""), message: `${page.fields.find((field) => field.name === issue.path[0])?.label ?? "Input"}: ${issue.message}` } satisfies Failure;
      }
      const api = await getServerApi();
      report = await callReport(api, page.key, parsed.data);
      exportQuery = new URLSearchParams(input).toString();
    }
  } catch (error) {
    failure = describe(error);
  }
  return (
    <div className="flex flex-col gap-5">
      <PageHeader
        title={page.title}
        description={page.description}
        actions={
          <Link className="text-sm text-muted-foreground hover:underline" href="/reports">
            All reports
          </Link>
        }
      />
      <ReportForm key={JSON.stringify(values)} path={`/reports/${page.key}`} fields={page.fields} initial={values} serverError={failure ?? undefined} />
      {failure ? <Alert variant="destructive">{failure.message}</Alert> : null}
      {report ? <ReportView report={report} exportQuery={exportQuery} canExport={page.key === "statement" || can(user.role, "reports.export")} /> : null}
      {!report && !failure && page.key === "statement" ? <p className="text-sm text-muted-foreground">Enter a customer&apos;s external id to see their statement.</p> : null}
    </div>
  );
}

function describe(error: unknown): Failure {
  if (error && typeof error === "object" && "message" in error && !(error instanceof Error)) return error as Failure;
  const cause = error instanceof TRPCError ? error.cause : error;
  if (isDomainError(cause)) return { field: typeof cause.details?.field === "string" ? cause.details.field : undefined, message: cause.message };
  if (error instanceof TRPCError && error.code === "BAD_REQUEST") return { message: error.message };
  throw error;
}

async function callReport(api: Awaited<ReturnType<typeof getServerApi>>, key: ReportKey, input: unknown): Promise<Report> {
  switch (key) {
    case "trial-balance":
      return api.report.trialBalance(input as never);
    case "revenue":
      return api.report.revenue(input as never);
    case "aging":
      return api.report.aging(input as never);
    case "cash":
      return api.report.cash(input as never);
    case "credits":
      return api.report.credits(input as never);
    case "promotions":
      return api.report.promotions(input as never);
    case "adjustments":
      return api.report.adjustments(input as never);
    case "statement":
      return api.report.statement(input as never);
  }
}
