import { Badge } from "@/components/ui/badge";
import type { AnomalyKind, AnomalySeverity, AnomalyStatus } from "@/db/schema";

const severityVariant = { low: "secondary", medium: "warning", high: "destructive", critical: "destructive" } as const;
const statusVariant = { open: "warning", acknowledged: "default", resolved: "success", dismissed: "outline", auto_resolved: "secondary" } as const;

export const kindLabels: Record<AnomalyKind, string> = {
  usage_spike: "Usage spike",
  usage_drop: "Usage drop",
  invoice_jump: "Invoice jump",
  duplicate_charge: "Duplicate charge",
  payment_failure: "Payment failure",
  reconciliation: "Reconciliation",
  credit_burn: "Credit burn",
  spend_limit: "Spend limit",
  job_failure: "Billing job failure",
};

export const statusLabels: Record<AnomalyStatus, string> = { open: "open", acknowledged: "acknowledged", resolved: "resolved", dismissed: "dismissed", auto_resolved: "cleared" };

export function SeverityBadge({ severity }: { severity: AnomalySeverity }) {
  return (
    <Badge variant={severityVariant[severity]} className={severity === "critical" ? "font-semibold uppercase" : undefined} data-testid="severity-badge">
      {severity}
    </Badge>
  );
}

export function AnomalyStatusBadge({ status }: { status: AnomalyStatus }) {
  return (
    <Badge variant={statusVariant[status]} data-testid="status-badge">
      {statusLabels[status]}
    </Badge>
  );
}
