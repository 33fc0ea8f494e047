"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDate, formatMoney } from "@/lib/format";
import { useTRPC } from "@/trpc/react";

type VersionOption = { id: string; version: number; status: string };

/** Rates the customers of another version of this plan under this one, on their last complete period. */
export function SimulationPanel({ planVersionId, version, others }: { planVersionId: string; version: number; others: VersionOption[] }) {
  const trpc = useTRPC();
  const [currentVersionId, setCurrentVersionId] = useState(others.find((other) => other.status === "published")?.id ?? others[0]?.id ?? "");
  const simulate = useMutation(trpc.catalog.planVersion.simulate.mutationOptions());
  const result = simulate.data;

  function run(event: FormEvent) {
    event.preventDefault();
    simulate.mutate({ currentVersionId, proposedVersionId: planVersionId });
  }

  return (
    <Card data-testid="plan-version-simulation">
      <CardHeader>
        <CardTitle>Simulate on real usage</CardTitle>
        <CardDescription>
          What the customers on another version paid for their last complete period, against what the same invoice would be under v{version}: usage from
          the rollups, allowances, tiers, discounts and the next period&apos;s seats, before credits. Nothing is billed or changed.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {others.length === 0 ? (
          <p className="text-sm text-muted-foreground">This plan has no other version with customers to compare with.</p>
        ) : (
          <form onSubmit={run} className="flex flex-wrap items-end gap-3" aria-label="Simulate">
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
            <Button type="submit" disabled={simulate.isPending}>
              {simulate.isPending ? "Rating…" : `Rate them under v${version}`}
            </Button>
          </form>
        )}
        {simulate.error ? <Alert variant="destructive">{describeError(simulate.error)}</Alert> : null}
        {result ? (
          <div className="flex flex-col gap-3" data-testid="simulation-result">
            <p className="text-sm">
              {result.subscriptions} customers{result.truncated ? " (the first ones; more are on that version)" : ""}: {formatMoney(result.currentMicros, result.currency)} now,{" "}
              {formatMoney(result.proposedMicros, result.currency)} under v{version} (<span data-testid="simulation-difference">{formatMoney(result.differenceMicros, result.currency, { signed: true })}</span>).{" "}
              {result.counts.increase} would pay more, {result.counts.decrease} less, {result.counts.unchanged} the same.
            </p>
            {result.largestChanges.length > 0 ? (
              <Table>
                <TableHeader>
                  <TableRow>
                    <TableHead>Customer</TableHead>
                    <TableHead>Period</TableHead>
                    <TableHead className="text-right">Now</TableHead>
                    <TableHead className="text-right">Under v{version}</TableHead>
                    <TableHead className="text-right">Difference</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {result.largestChanges.map((change) => (
                    <TableRow key={change.customerId}>
                      <TableCell>
                        <Link href={`/customers/${change.customerId}`} className="underline">
                          {change.name}
                        </Link>
                      </TableCell>
                      <TableCell className="text-sm">
                        {formatDate(change.period.start)} → {formatDate(change.period.end)}
                      </TableCell>
                      <TableCell className="text-right tabular-nums">{formatMoney(change.currentMicros, result.currency)}</TableCell>
                      <TableCell className="text-right tabular-nums">{formatMoney(change.proposedMicros, result.currency)}</TableCell>
                      <TableCell className="text-right tabular-nums">{formatMoney(change.differenceMicros, result.currency, { signed: true })}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            ) : null}
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}
