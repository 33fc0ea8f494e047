"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { useTRPC } from "@/trpc/react";
import { SimulationSummary } from "./simulation-summary";

type VersionOption = { id: string; version: number; status: string };

const pollMs = 1000;

/**
 * Starts a stored simulation of this version on the customers of another version of the plan
 * (their last complete period) and follows it: progress while it runs, totals and counts when it
 * is done, and a link to every customer's result.
 */
export function SimulationPanel({ planVersionId, version, others }: { planVersionId: string; version: number; others: VersionOption[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [currentVersionId, setCurrentVersionId] = useState(others.find((other) => other.status === "published")?.id ?? others[0]?.id ?? "");
  const start = useMutation(trpc.catalog.planVersion.simulation.start.mutationOptions());
  const runId = start.data?.runId;
  const run = useQuery(
    trpc.catalog.planVersion.simulation.get.queryOptions(
      { runId: runId ?? "" },
      { enabled: runId !== undefined, refetchInterval: (query) => (query.state.data && (query.state.data.status === "succeeded" || query.state.data.status === "failed") ? false : pollMs) },
    ),
  );
  const finished = run.data?.status === "succeeded" || run.data?.status === "failed";
  // The version page's list of runs is server-rendered: refresh it once this run ends.
  useEffect(() => {
    if (finished) router.refresh();
  }, [finished, router]);

  function submit(event: FormEvent) {
    event.preventDefault();
    start.mutate({ currentVersionId, proposedVersionId: planVersionId });
  }

  const busy = start.isPending || (runId !== undefined && !finished);
  return (
    <Card data-testid="plan-version-simulation">
      <CardHeader>
        <CardTitle>Simulate on real usage</CardTitle>
        <CardDescription>
          What every customer on another version paid for their last complete period, against what the same invoice would be under v{version}: usage from
          the rollups, allowances, tiers, discounts and the next period&apos;s seats, before credits. It runs in the background over all of them; nothing is
          billed or changed.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {others.length === 0 ? (
          <p className="text-sm text-muted-foreground">This plan has no other version with customers to compare with.</p>
        ) : (
          <form onSubmit={submit} className="flex flex-wrap items-end gap-3" aria-label="Simulate">
            <div className="flex flex-col gap-1">
              <Label htmlFor="simulation-current">Customers now on</Label>
              <NativeSelect id="simulation-current" value={currentVersionId} onChange={(event) => setCurrentVersionId(event.target.value)} className="w-44">
                {others.map((other) => (
                  <option key={other.id} value={other.id}>
                    v{other.version} ({other.status})
                  </option>
                ))}
              </NativeSelect>
            </div>
            <Button type="submit" disabled={busy}>
              {busy ? "Rating…" : `Rate them under v${version}`}
            </Button>
          </form>
        )}
        {start.error ? <Alert variant="destructive">{describeError(start.error)}</Alert> : null}
        {run.error ? <Alert variant="destructive">{describeError(run.error)}</Alert> : null}
        {start.data && !start.data.created ? <p className="text-sm text-muted-foreground">This comparison is already running; showing that run.</p> : null}
        {run.data ? (
          <div className="flex flex-col gap-2">
            <SimulationSummary run={run.data} />
            {run.data.status === "succeeded" ? (
              <Link href={`/catalog/versions/${planVersionId}/simulations/${run.data.id}`} className="text-sm underline" data-testid="simulation-results-link">
                See every customer&apos;s result
              </Link>
            ) : null}
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}
