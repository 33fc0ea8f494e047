import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime, formatMoney } from "@/lib/format";
import type { PlanSimulationRunView } from "@/server/invoicing/list-plan-simulations";
import { simulationStatusLabel, simulationStatusVariant } from "./simulation-summary";

/** The simulations of this version, newest first, a page at a time (`?runs=<cursor>`). */
export function SimulationRuns({ planVersionId, runs, nextCursor, paged }: { planVersionId: string; runs: PlanSimulationRunView[]; nextCursor: string | null; paged: boolean }) {
  return (
    <Card data-testid="simulation-runs">
      <CardHeader>
        <CardTitle>Previous simulations</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        {runs.length === 0 ? (
          <p className="text-sm text-muted-foreground">No simulation of this version yet.</p>
        ) : (
          <Table aria-label="Previous simulations">
            <TableHeader>
              <TableRow>
                <TableHead>Started</TableHead>
                <TableHead>Customers on</TableHead>
                <TableHead>Status</TableHead>
                <TableHead className="text-right">Customers</TableHead>
                <TableHead className="text-right">Difference</TableHead>
                <TableHead>By</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {runs.map((run) => (
                <TableRow key={run.id}>
                  <TableCell className="whitespace-nowrap">
                    <Link href={`/catalog/versions/${planVersionId}/simulations/${run.id}`} className="underline">
                      {formatDateTime(run.requestedAt)}
                    </Link>
                  </TableCell>
                  <TableCell>v{run.currentVersion}</TableCell>
                  <TableCell>
                    <Badge variant={simulationStatusVariant[run.status]}>{simulationStatusLabel[run.status]}</Badge>
                  </TableCell>
                  <TableCell className="text-right tabular-nums">{run.subscriptionsDone.toLocaleString("en-US")}</TableCell>
                  <TableCell className="text-right tabular-nums">{run.status === "succeeded" ? formatMoney(run.differenceMicros, run.currency, { signed: true }) : "—"}</TableCell>
                  <TableCell className="text-sm">{run.requestedBy}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        <nav aria-label="Previous simulations pages" className="flex gap-3 text-sm">
          {paged ? (
            <Link href={`/catalog/versions/${planVersionId}`} className="underline">
              Newest
            </Link>
          ) : null}
          {nextCursor ? (
            <Link href={`/catalog/versions/${planVersionId}?runs=${encodeURIComponent(nextCursor)}`} className="underline">
              Older
            </Link>
          ) : null}
        </nav>
      </CardContent>
    </Card>
  );
}
