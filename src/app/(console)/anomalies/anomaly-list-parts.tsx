import type { AnomalySeverity, AnomalyStatus } from "@/db/schema";
import { AnomalyStatusBadge, SeverityBadge } from "./anomaly-badges";

export { kindLabels, statusLabels } from "./anomaly-badges";

export function AnomalySeverityStatus({ severity, status }: { severity: AnomalySeverity; status: AnomalyStatus }) {
  return (
    <span className="flex gap-1">
      <SeverityBadge severity={severity} />
      <AnomalyStatusBadge status={status} />
    </span>
  );
}
