"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { useTRPC } from "@/trpc/react";

export type StartPlanChoice = { planVersionId: string; label: string; trialDays: number };

/** Starts a subscription for a customer without one: plan, seats, trial, optional promotion code, reason (audited). */
export function StartSubscriptionDialog({ customerId, choices }: { customerId: string; choices: StartPlanChoice[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [planVersionId, setPlanVersionId] = useState(choices[0]?.planVersionId ?? "");
  const [seats, setSeats] = useState("1");
  const [trialDays, setTrialDays] = useState(String(choices[0]?.trialDays ?? 0));
  const [promotionCode, setPromotionCode] = useState("");
  const [reason, setReason] = useState("");
  const start = useMutation(
    trpc.subscription.create.mutationOptions({
      onSuccess: () => {
        setOpen(false);
        router.refresh();
      },
    }),
  );
  const seatsValid = /^\d{1,6}$/.test(seats) && Number(seats) >= 1 && Number(seats) <= 100_000;
  const trialValid = /^\d{1,3}$/.test(trialDays) && Number(trialDays) <= 365;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!seatsValid || !trialValid) return;
    start.mutate({ customerId, planVersionId, seats: Number(seats), trialDays: Number(trialDays), reason, ...(promotionCode.trim() ? { promotionCode: promotionCode.trim() } : {}) });
  }

  return (
    <Dialog open={open} onOpenChange={(next) => { setOpen(next); if (next) start.reset(); }}>
      <DialogTrigger asChild>
        <Button variant="outline">Start subscription</Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Start a subscription</DialogTitle>
          <DialogDescription>Without a trial the first period&apos;s fee is invoiced now. A promotion code is redeemed with it: if the code is refused, nothing is created.</DialogDescription>
        </DialogHeader>
        <form onSubmit={submit} className="flex flex-col gap-3 text-sm">
          {start.error ? <Alert variant="destructive">{describeError(start.error)}</Alert> : null}
          <Label htmlFor="start-plan">Plan</Label>
          <NativeSelect
            id="start-plan"
            value={planVersionId}
            onChange={(event) => {
              setPlanVersionId(event.target.value);
              setTrialDays(String(choices.find((choice) => choice.planVersionId === event.target.value)?.trialDays ?? 0));
            }}
          >
            {choices.map((choice) => (
              <option key={choice.planVersionId} value={choice.planVersionId}>
                {choice.label}
              </option>
            ))}
          </NativeSelect>
          <div className="grid grid-cols-2 gap-3">
            <div className="flex flex-col gap-1">
              <Label htmlFor="start-seats">Seats</Label>
              <Input id="start-seats" inputMode="numeric" value={seats} onChange={(event) => setSeats(event.target.value)} />
            </div>
            <div className="flex flex-col gap-1">
              <Label htmlFor="start-trial">Trial days</Label>
              <Input id="start-trial" inputMode="numeric" value={trialDays} onChange={(event) => setTrialDays(event.target.value)} />
            </div>
          </div>
          {!seatsValid ? <Alert variant="destructive">Seats must be a whole number from 1 to 100,000.</Alert> : null}
          {!trialValid ? <Alert variant="destructive">Trial days are a whole number from 0 to 365.</Alert> : null}
          <Label htmlFor="start-promotion">Promotion code (optional)</Label>
          <Input id="start-promotion" value={promotionCode} onChange={(event) => setPromotionCode(event.target.value)} />
          <Label htmlFor="start-reason">Reason</Label>
          <Textarea id="start-reason" required minLength={3} value={reason} onChange={(event) => setReason(event.target.value)} />
          <Button type="submit" disabled={start.isPending || choices.length === 0 || !seatsValid || !trialValid}>
            {start.isPending ? "Starting…" : "Start subscription"}
          </Button>
        </form>
      </DialogContent>
    </Dialog>
  );
}
