"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { formatDateTime, formatMoney } from "@/lib/format";
import { useTRPC } from "@/trpc/react";

export type PlanChoice = { planVersionId: string; label: string };
type Timing = "default" | "now" | "period_end";

const minorToMicros = (minor: bigint) => minor * 10_000n;

/**
 * Change plan or seats, cancel or resume. The preview (Tally's proration lines and, when synced,
 * Stripe's own preview of the same change) is shown before anything is committed.
 */
export function ChangePlanDialog({ customerId, currentPlanVersionId, currentSeats, cancelAtPeriodEnd, choices }: { customerId: string; currentPlanVersionId: string; currentSeats: number; cancelAtPeriodEnd: boolean; choices: PlanChoice[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [planVersionId, setPlanVersionId] = useState(currentPlanVersionId);
  const [seats, setSeats] = useState(String(currentSeats));
  const [timing, setTiming] = useState<Timing>("default");
  const [reason, setReason] = useState("");
  const seatsValid = /^\d{1,6}$/.test(seats) && Number(seats) >= 1 && Number(seats) <= 100_000;
  const changed = planVersionId !== currentPlanVersionId || (seatsValid && Number(seats) !== currentSeats);
  const previewInput = { customerId, planVersionId, seats: seatsValid ? Number(seats) : currentSeats, ...(timing === "default" ? {} : { timing }) };
  const preview = useQuery({ ...trpc.subscription.previewChange.queryOptions(previewInput), enabled: open && changed && seatsValid });
  const onSuccess = () => {
    setOpen(false);
    router.refresh();
  };
  const commit = useMutation(trpc.subscription.change.mutationOptions({ onSuccess }));
  const reasonOk = reason.trim().length >= 3;
  const data = preview.data;

  return (
    <Dialog open={open} onOpenChange={(next) => { setOpen(next); if (next) commit.reset(); }}>
      <DialogTrigger asChild>
        <Button variant="outline">Change plan</Button>
      </DialogTrigger>
      <DialogContent className="max-w-2xl">
        <DialogHeader>
          <DialogTitle>Change plan</DialogTitle>
          <DialogDescription>Upgrades apply now with prorations invoiced at once; downgrades apply at the period end. You may choose otherwise.</DialogDescription>
        </DialogHeader>
        <div className="flex flex-col gap-3 text-sm">
          <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
            <div className="flex flex-col gap-1">
              <Label htmlFor="change-plan-version">Plan</Label>
              <NativeSelect id="change-plan-version" value={planVersionId} onChange={(event) => setPlanVersionId(event.target.value)}>
                {choices.map((choice) => (
                  <option key={choice.planVersionId} value={choice.planVersionId}>
                    {choice.label}
                  </option>
                ))}
              </NativeSelect>
            </div>
            <div className="flex flex-col gap-1">
              <Label htmlFor="change-plan-seats">Seats</Label>
              <Input id="change-plan-seats" inputMode="numeric" value={seats} onChange={(event) => setSeats(event.target.value)} />
            </div>
            <div className="flex flex-col gap-1">
              <Label htmlFor="change-plan-timing">When</Label>
              <NativeSelect id="change-plan-timing" value={timing} onChange={(event) => setTiming(event.target.value as Timing)}>
                <option value="default">Default policy</option>
                <option value="now">Now (prorated)</option>
                <option value="period_end">At period end</option>
              </NativeSelect>
            </div>
          </div>
          {!seatsValid ? <Alert variant="destructive">Seats must be a whole number from 1 to 100,000.</Alert> : null}
          {changed && preview.isLoading ? <p className="text-muted-foreground">Calculating…</p> : null}
          {preview.error ? <Alert variant="destructive">{describeError(preview.error)}</Alert> : null}
          {changed && data ? (
            <div className="flex flex-col gap-2 rounded-md border p-3" data-testid="change-plan-preview">
              <p>
                {data.direction.replace("_", " ")}: {data.from.planName} × {data.from.seats} ({formatMoney(data.from.perPeriodMicros, data.currency)}) → {data.to.planName} × {data.to.seats} (
                {formatMoney(data.to.perPeriodMicros, data.currency)}) per period, {data.timing === "now" ? "now" : `at ${formatDateTime(data.effectiveAt)}`}
              </p>
              {data.lines.length > 0 ? (
                <ul className="flex flex-col gap-1">
                  {data.lines.map((line) => (
                    <li key={`${line.kind}-${line.planVersionId}`} className="flex justify-between gap-4">
                      <span>{line.description}</span>
                      <span className="tabular-nums">{formatMoney(line.amountMicros, data.currency)}</span>
                    </li>
                  ))}
                  <li className="flex justify-between gap-4 font-medium">
                    <span>Invoiced now</span>
                    <span className="tabular-nums">{formatMoney(data.totalMicros, data.currency)}</span>
                  </li>
                </ul>
              ) : (
                <p className="text-muted-foreground">No proration.</p>
              )}
              {data.stripe ? (
                <p className={data.stripe.agrees ? "text-muted-foreground" : "text-destructive"}>
                  Stripe&apos;s preview: {formatMoney(minorToMicros(data.stripe.totalProrationMinor), data.currency)} — {data.stripe.agrees ? "agrees to the cent" : "DIFFERS from Tally's calculation"}
                </p>
              ) : null}
            </div>
          ) : null}
          <div className="flex flex-col gap-1">
            <Label htmlFor="change-plan-reason">Reason</Label>
            <Input id="change-plan-reason" value={reason} onChange={(event) => setReason(event.target.value)} />
          </div>
          <div className="flex flex-wrap gap-2">
            <Button
              disabled={!changed || !data || !reasonOk || commit.isPending}
              onClick={() => commit.mutate({ action: "change", ...previewInput, timing: data?.timing, reason })}
            >
              {commit.isPending ? "Applying…" : "Confirm change"}
            </Button>
            {cancelAtPeriodEnd ? (
              <Button variant="outline" disabled={!reasonOk || commit.isPending} onClick={() => commit.mutate({ action: "resume", customerId, reason })}>
                Resume
              </Button>
            ) : (
              <Button variant="outline" disabled={!reasonOk || commit.isPending} onClick={() => commit.mutate({ action: "cancel", customerId, at: "period_end", reason })}>
                Cancel at period end
              </Button>
            )}
            <Button variant="destructive" disabled={!reasonOk || commit.isPending} onClick={() => commit.mutate({ action: "cancel", customerId, at: "now", reason })}>
              Cancel now
            </Button>
          </div>
          {commit.error ? <Alert variant="destructive">{describeError(commit.error)}</Alert> : null}
        </div>
      </DialogContent>
    </Dialog>
  );
}
