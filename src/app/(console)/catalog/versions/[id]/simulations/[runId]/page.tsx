import Link from "next/link";
import { notFound } from "next/navigation";
import { CopyableId } from "@/components/console/copyable-id";
import { orNotFound } from "@/components/console/or-not-found";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDateTime } from "@/lib/format";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { planSimulationResultsView } from "@/server/api/lists/plan-simulation-lists";
import { getServerApi } from "@/trpc/server";
import { SimulationSummary, simulationStatusLabel, simulationStatusVariant } from "../../simulation-summary";
import { RefreshWhileRunning } from "./refresh-while-running";
import { SimulationResultsTable } from "./results-table";

export default async function SimulationRunPage({ params, searchParams }: { params: Promise<{ id: string; runId: string }>; searchParams: Promise<UrlParams> }) {
  await requirePermission("catalog.write");
  const { id, runId } = await params;
  const api = await getServerApi();
  const [version, run] = await Promise.all([orNotFound(api.catalog.planVersion.get({ planVersionId: id })), orNotFound(api.catalog.planVersion.simulation.get({ runId }))]);
  if (run.proposedVersionId !== version.id) notFound();
  const view = parseView(planSimulationResultsView, await searchParams, { run: run.id });
  const input = view.ok ? view.input : planSimulationResultsView.parse({ run: run.id });
  const { page, error } = await loadView(input, (next) => api.catalog.planVersion.simulation.results({ ...next, limit: 50 }));
  const running = run.status === "queued" || run.status === "running";
  return (
    <div className="flex min-w-0 flex-col gap-6">
      <RefreshWhileRunning running={running} />
      <PageHeader
        title={`Simulation of ${version.plan.name} v${run.proposedVersion}`}
        description={
          <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
            <Link href={`/catalog/versions/${version.id}`} className="underline">
              {version.plan.name} v{version.version}
            </Link>
            <span>· customers on v{run.currentVersion}</span>
            <Badge variant={simulationStatusVariant[run.status]} data-testid="simulation-status">
              {simulationStatusLabel[run.status]}
            </Badge>
            <span>
              · started {formatDateTime(run.requestedAt)} by {run.requestedBy}
            </span>
            <span className="inline-flex items-center gap-1">
              · run <CopyableId id={run.id} label="run id" />
            </span>
          </span>
        }
      />
      <Card>
        <CardHeader>
          <CardTitle>Summary</CardTitle>
        </CardHeader>
        <CardContent>
          <SimulationSummary run={run} />
        </CardContent>
      </Card>
      <Card className="min-w-0">
        <CardHeader>
          <CardTitle>Every customer</CardTitle>
        </CardHeader>
        <CardContent className="min-w-0">
          <SimulationResultsTable
            runId={run.id}
            currency={run.currency}
            proposedVersion={run.proposedVersion}
            rows={page.items}
            nextCursor={page.nextCursor}
            error={view.ok ? error : `${view.message} (showing every customer)`}
            emptyMessage={input.search || input.change ? "No customer matches this view." : running ? "No results yet: the run is still rating customers." : "This run rated no customers."}
          />
        </CardContent>
      </Card>
    </div>
  );
}
