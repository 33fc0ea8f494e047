import Link from "next/link";
import { orNotFound } from "@/components/console/or-not-found";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDateTime, formatMoney } from "@/lib/format";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import { IssueCreditDialog } from "../../customers/[id]/issue-credit-dialog";
import { AnomalyStatusBadge, kindLabels, SeverityBadge } from "../anomaly-badges";
import { AnomalyActions } from "./anomaly-actions";
import { AnomalyChart } from "./anomaly-chart";
import { AnomalyEvidence } from "./evidence";

const activityLabels: Record<string, string> = {
  opened: "Detected",
  updated: "Updated by detection",
  reopened: "Reopened",
  auto_resolved: "Cleared (no longer detected)",
  acknowledged: "Acknowledged",
  assigned: "Assigned",
  unassigned: "Unassigned",
  noted: "Note",
  resolved: "Resolved",
  dismissed: "Dismissed",
};

/** Quantities are exact decimal strings: separators without a float. */
function quantity(value: string | null): string {
  if (value === null) return "—";
  const [whole = "0", fraction] = value.split(".");
  const trimmed = fraction?.replace(/0+$/, "").slice(0, 3);
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}${trimmed ? `.${trimmed}` : ""}`;
}

export default async function AnomalyPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePermission("anomalies.read");
  const { id } = await params;
  const api = await getServerApi();
  const anomaly = await orNotFound(api.anomaly.get({ id }));
  const canAct = can(user.role, "anomalies.act");
  const [chart, assignees] = await Promise.all([api.anomaly.chart({ id }), canAct ? api.anomaly.assignees() : Promise.resolve([])]);
  const evidence = anomaly.evidence as Record<string, unknown>;
  const meter = evidence.meter as { name?: string; unit?: string } | undefined;
  const isMoney = anomaly.kind !== "usage_spike" && anomaly.kind !== "usage_drop";
  const figure = (value: string | null) => (value === null ? "—" : isMoney && /^-?\d+$/.test(value) ? formatMoney(value, anomaly.currency) : `${quantity(value)}${meter?.unit ? ` ${meter.unit}` : ""}`);
  const compare = compareLink(anomaly.kind, evidence);
  const invoiceIds = invoiceLinks(evidence);
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title={anomaly.title}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <SeverityBadge severity={anomaly.severity} />
            <AnomalyStatusBadge status={anomaly.status} />
            <span>{kindLabels[anomaly.kind]}</span>·
            {anomaly.customer ? (
              <Link href={`/customers/${anomaly.customer.id}`} className="underline underline-offset-4" data-testid="anomaly-customer-link">
                {anomaly.customer.name}
              </Link>
            ) : (
              <span>no single customer</span>
            )}
            <span>· assigned to {anomaly.assignee?.name ?? "nobody"}</span>
          </span>
        }
        actions={
          <Link href="/anomalies" className="text-sm underline-offset-4 hover:underline">
            ← Queue
          </Link>
        }
      />
      <Card>
        <CardContent className="pt-6">
          <dl className="grid grid-cols-2 gap-x-8 gap-y-3 text-sm md:grid-cols-4">
            <div>
              <dt className="text-muted-foreground">At stake</dt>
              <dd className="text-xl font-semibold tabular-nums" data-testid="anomaly-impact">
                {anomaly.impactMicros === null ? "—" : formatMoney(anomaly.impactMicros, anomaly.currency)}
              </dd>
            </div>
            <div>
              <dt className="text-muted-foreground">Observed</dt>
              <dd className="tabular-nums">{figure(anomaly.observed)}</dd>
            </div>
            <div>
              <dt className="text-muted-foreground">Expected</dt>
              <dd className="tabular-nums">{figure(anomaly.expected)}</dd>
            </div>
            <div>
              <dt className="text-muted-foreground">Window</dt>
              <dd className="text-xs">
                {formatDateTime(anomaly.windowStart)} → {formatDateTime(anomaly.windowEnd)}
              </dd>
            </div>
            <div>
              <dt className="text-muted-foreground">First detected</dt>
              <dd className="text-xs">{formatDateTime(anomaly.firstDetectedAt)}</dd>
            </div>
            <div>
              <dt className="text-muted-foreground">Last detected</dt>
              <dd className="text-xs">{formatDateTime(anomaly.lastDetectedAt)}</dd>
            </div>
            {anomaly.closedReason ? (
              <div className="col-span-2">
                <dt className="text-muted-foreground">Closed {formatDateTime(anomaly.closedAt)}</dt>
                <dd>{anomaly.closedReason}</dd>
              </div>
            ) : null}
          </dl>
        </CardContent>
      </Card>
      {canAct ? (
        <Card>
          <CardHeader>
            <CardTitle>Act</CardTitle>
            <CardDescription>Every action is recorded in the activity below and in the audit log with your name.</CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-4">
            <AnomalyActions
              anomalyId={anomaly.id}
              title={anomaly.title}
              status={anomaly.status}
              assigneeId={anomaly.assignee?.id ?? null}
              assignees={assignees.map((each) => ({ id: each.id, name: each.name, role: each.role }))}
              currentUserId={user.id}
            />
            {anomaly.customer && (compare || can(user.role, "grants.issue")) ? (
              <div className="flex flex-wrap items-center gap-3 border-t pt-4">
                <span className="text-sm text-muted-foreground">Remedy:</span>
                {can(user.role, "grants.issue") ? <IssueCreditDialog customerId={anomaly.customer.id} /> : null}
                {compare ? (
                  <Link href={compare} className="text-sm underline underline-offset-4" data-testid="compare-invoices-link">
                    Compare the two invoices
                  </Link>
                ) : null}
              </div>
            ) : null}
          </CardContent>
        </Card>
      ) : null}
      {chart && chart.length > 0 ? (
        <Card>
          <CardHeader>
            <CardTitle>{meter?.name ?? "Usage"} by day</CardTitle>
            <CardDescription>Observed against what the customer&apos;s own history expects (the usual range by weekday); the anomaly&apos;s window is shaded.</CardDescription>
          </CardHeader>
          <CardContent>
            <AnomalyChart points={chart} unit={meter?.unit ?? "units"} />
          </CardContent>
        </Card>
      ) : null}
      <Card>
        <CardHeader>
          <CardTitle>Evidence</CardTitle>
          <CardDescription>What the detector saw, and what it attributes the change to.</CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          <AnomalyEvidence kind={anomaly.kind} evidence={evidence} currency={anomaly.currency} customer={anomaly.customer} />
          {invoiceIds.length > 0 ? (
            <p className="text-sm">
              Invoices:{" "}
              {invoiceIds.map((invoice, index) => (
                <span key={invoice.id}>
                  {index > 0 ? ", " : ""}
                  <Link href={`/invoices/${invoice.id}`} className="underline underline-offset-4">
                    {invoice.label}
                  </Link>
                </span>
              ))}
            </p>
          ) : null}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Activity</CardTitle>
        </CardHeader>
        <CardContent>
          <ol className="flex flex-col gap-2 text-sm" data-testid="anomaly-activity">
            {anomaly.activity.map((entry) => (
              <li key={entry.id.toString()} className="flex flex-wrap gap-3">
                <span className="w-40 shrink-0 text-muted-foreground">{formatDateTime(entry.occurredAt)}</span>
                <span className="font-medium">{activityLabels[entry.action] ?? entry.action}</span>
                <span className="text-muted-foreground">by {entry.actorType === "system" ? "detection" : entry.actorLabel}</span>
                {entry.action === "assigned" && typeof entry.details.assigneeName === "string" ? <span>→ {entry.details.assigneeName}</span> : null}
                {entry.note ? <span>— {entry.note}</span> : null}
              </li>
            ))}
          </ol>
        </CardContent>
      </Card>
    </div>
  );
}

/** invoice_jump: the previous and current period invoices side by side (the comparison page lives at /invoices/compare). */
function compareLink(kind: string, evidence: Record<string, unknown>): string | null {
  if (kind !== "invoice_jump") return null;
  const last = (bill: unknown) => ((bill as { invoiceIds?: string[] } | undefined)?.invoiceIds ?? []).at(-1);
  const a = last(evidence.previous);
  const b = last(evidence.current);
  return a && b ? `/invoices/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}` : null;
}

/** Tally invoices named by the evidence, for links. */
function invoiceLinks(evidence: Record<string, unknown>): { id: string; label: string }[] {
  const found = new Map<string, string>();
  for (const key of ["previous", "current"]) {
    const bill = evidence[key] as { invoiceIds?: string[]; invoiceNumbers?: (string | null)[] } | undefined;
    (bill?.invoiceIds ?? []).forEach((id, index) => found.set(id, bill?.invoiceNumbers?.[index] ?? `${key} invoice`));
  }
  return [...found].filter(([id]) => /^[0-9a-f-]{36}$/i.test(id)).map(([id, label]) => ({ id, label }));
}
