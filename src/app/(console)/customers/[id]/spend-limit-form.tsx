"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { parseMoneyToMicros } from "@/lib/parse-money";
import { useTRPC } from "@/trpc/react";

function toAmount(micros: string | null): string {
  if (micros === null) return "";
  const value = BigInt(micros);
  const fraction = (value % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return `${value / 1_000_000n}${fraction ? `.${fraction}` : ""}`;
}

/** "50, 80, 100" → [50, 80, 100]; null when any part is not a whole number. An empty text is no warnings. */
function toThresholds(text: string): number[] | null {
  const parts = text.split(/[\s,%]+/).filter((part) => part !== "");
  if (parts.some((part) => !/^\d{1,4}$/.test(part))) return null;
  return parts.map(Number);
}

export function SpendLimitForm({
  customerId,
  currentMicros,
  currentThresholdsPercent,
}: {
  customerId: string;
  currentMicros: string | null;
  currentThresholdsPercent: number[];
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const [amount, setAmount] = useState(toAmount(currentMicros));
  const [thresholds, setThresholds] = useState(currentThresholdsPercent.join(", "));
  const [reason, setReason] = useState("");
  const [formError, setFormError] = useState<string | null>(null);
  const save = useMutation(trpc.subscription.setSpendLimit.mutationOptions({ onSuccess: () => router.refresh() }));

  function submit(event: FormEvent) {
    event.preventDefault();
    const micros = amount.trim() === "" ? null : parseMoneyToMicros(amount, { allowZero: true });
    if (amount.trim() !== "" && micros === null) {
      setFormError("Give the limit as an amount such as 50 or 12.50 (leave it empty for no limit).");
      return;
    }
    const warningThresholdsPercent = toThresholds(thresholds);
    if (warningThresholdsPercent === null) {
      setFormError("Give the warning thresholds as whole percentages of the limit, such as 50, 80, 100.");
      return;
    }
    setFormError(null);
    save.mutate({ customerId, spendLimitMicros: micros, warningThresholdsPercent, reason });
  }

  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-3" aria-label="Change spend limit">
      <div className="flex flex-col gap-1">
        <Label htmlFor="spend-limit-amount">Monthly limit (empty = none)</Label>
        <Input id="spend-limit-amount" inputMode="decimal" value={amount} onChange={(event) => setAmount(event.target.value)} className="w-40" />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="spend-limit-thresholds">Warn at (% of limit)</Label>
        <Input id="spend-limit-thresholds" value={thresholds} onChange={(event) => setThresholds(event.target.value)} className="w-40" />
      </div>
      <div className="flex min-w-64 flex-1 flex-col gap-1">
        <Label htmlFor="spend-limit-reason">Reason</Label>
        <Input id="spend-limit-reason" required minLength={3} value={reason} onChange={(event) => setReason(event.target.value)} />
      </div>
      <Button type="submit" disabled={save.isPending}>
        {save.isPending ? "Saving…" : "Set spend limit"}
      </Button>
      {formError ? <Alert variant="destructive">{formError}</Alert> : null}
      {save.error ? <Alert variant="destructive">{describeError(save.error)}</Alert> : null}
      {save.isSuccess ? <p className="text-sm text-muted-foreground">Saved; the next check uses the new limit.</p> : null}
    </form>
  );
}
