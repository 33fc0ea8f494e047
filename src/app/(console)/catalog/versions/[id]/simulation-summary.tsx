import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { formatDateTime, formatMoney } from "@/lib/format";
import type { PlanSimulationRunView } from "@/server/invoicing/list-plan-simulations";

export const simulationStatusLabel: Record<PlanSimulationRunView["status"], string> = { queued: "queued", running: "running", succeeded: "done", failed: "failed" };
export const simulationStatusVariant = { queued: "secondary", running: "secondary", succeeded: "success", failed: "destructive" } as const;

const count = (value: number) => value.toLocaleString("en-US");

/** A run's progress while it runs, its totals and counts once done, its error in words if it failed. */
export function SimulationSummary({ run }: { run: PlanSimulationRunView }) {
  if (run.status === "failed") {
    return (
      <Alert variant="destructive" data-testid="simulation-failed">
        The simulation failed after {count(run.subscriptionsDone)} customers: {run.errorMessage} <span className="font-mono text-xs">({run.errorCode})</span>
      </Alert>
    );
  }
  if (run.status !== "succeeded") {
    const expected = run.subscriptionsExpected;
    return (
      <p className="text-sm" role="status" data-testid="simulation-progress">
        <Badge variant="secondary">{simulationStatusLabel[run.status]}</Badge>{" "}
        {run.status === "queued"
          ? "Waiting for a worker to pick it up…"
          : `Rating customers: ${count(run.subscriptionsDone)}${expected === null ? "" : ` of ${count(expected)}`} done.`}
      </p>
    );
  }
  return (
    <div className="flex flex-col gap-2 text-sm" data-testid="simulation-result">
      <p>
        {count(run.subscriptionsDone)} customers on v{run.currentVersion}, their last complete period as of {formatDateTime(run.asOf)}:{" "}
        {formatMoney(run.currentMicros, run.currency)} now, {formatMoney(run.proposedMicros, run.currency)} under v{run.proposedVersion} (
        <span data-testid="simulation-difference">{formatMoney(run.differenceMicros, run.currency, { signed: true })}</span>).
      </p>
      <dl className="grid grid-cols-3 gap-2 sm:max-w-md" data-testid="simulation-counts">
        <div>
          <dt className="text-muted-foreground">Would pay more</dt>
          <dd className="tabular-nums">{count(run.increaseCount)}</dd>
        </div>
        <div>
          <dt className="text-muted-foreground">Would pay less</dt>
          <dd className="tabular-nums">{count(run.decreaseCount)}</dd>
        </div>
        <div>
          <dt className="text-muted-foreground">The same</dt>
          <dd className="tabular-nums">{count(run.unchangedCount)}</dd>
        </div>
      </dl>
    </div>
  );
}
