"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { useTRPC } from "@/trpc/react";

/** Support actions on an open case; each needs a reason (audited). */
export function DunningActions({ caseId, hasInvoiceLink }: { caseId: string; hasInvoiceLink: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [reason, setReason] = useState("");
  const [days, setDays] = useState("3");
  const onSuccess = () => router.refresh();
  const retry = useMutation(trpc.dunning.retryNow.mutationOptions({ onSuccess }));
  const extend = useMutation(trpc.dunning.extendGrace.mutationOptions({ onSuccess }));
  const link = useMutation(trpc.dunning.sendInvoiceLink.mutationOptions({ onSuccess }));
  const pending = retry.isPending || extend.isPending || link.isPending;
  const error = retry.error ?? extend.error ?? link.error;
  const reasonOk = reason.trim().length >= 3;
  return (
    <div className="flex flex-col gap-2 rounded-md border p-3" aria-label="Payment recovery actions">
      <div className="flex flex-wrap items-end gap-3">
        <div className="flex min-w-64 flex-1 flex-col gap-1">
          <Label htmlFor={`dunning-reason-${caseId}`}>Reason</Label>
          <Input id={`dunning-reason-${caseId}`} value={reason} onChange={(event) => setReason(event.target.value)} placeholder="Why (required)" />
        </div>
        <Button disabled={pending || !reasonOk} onClick={() => retry.mutate({ caseId, reason })}>
          Retry payment now
        </Button>
        <div className="flex flex-col gap-1">
          <Label htmlFor={`dunning-days-${caseId}`}>Days</Label>
          <Input id={`dunning-days-${caseId}`} className="w-20" inputMode="numeric" value={days} onChange={(event) => setDays(event.target.value)} />
        </div>
        <Button variant="outline" disabled={pending || !reasonOk || !/^\d{1,2}$/.test(days)} onClick={() => extend.mutate({ caseId, days: Number(days), reason })}>
          Extend grace
        </Button>
        <Button variant="outline" disabled={pending || !reasonOk || !hasInvoiceLink} onClick={() => link.mutate({ caseId, reason })}>
          Send invoice link
        </Button>
      </div>
      {retry.data ? <p className="text-muted-foreground">{retry.data.outcome === "paid" ? "Paid; access restored." : `Declined: ${retry.data.message ?? "card declined"}`}</p> : null}
      {link.data ? <p className="text-muted-foreground">{link.data.recorded ? "Invoice link queued for the customer." : "Already sent a moment ago."}</p> : null}
      {error ? <Alert variant="destructive">{describeError(error)}</Alert> : null}
    </div>
  );
}
