"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ConfirmDialog } from "@/components/console/action-dialog";
import { Button } from "@/components/ui/button";
import { MonthField } from "@/components/form/date-field";
import { Label } from "@/components/ui/label";
import { useTRPC } from "@/trpc/react";

/** Finance closes a month: picked with a month input, checked here, confirmed in words, checked again by the server. */
export function CloseMonthForm({ suggested }: { suggested: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [month, setMonth] = useState(suggested);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const close = useMutation(trpc.report.period.close.mutationOptions({ onSuccess: () => router.refresh() }));
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
      setError("Give the month to close such as 2026-03, or pick it.");
      return;
    }
    if (month >= new Date().toISOString().slice(0, 7)) {
      setError(`${month} has not ended yet; a month is closed once it is over.`);
      return;
    }
    setError(null);
    setConfirming(true);
  }
  return (
    <>
      <form onSubmit={submit} noValidate className="flex flex-wrap items-end gap-3" aria-label="Close a month">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="close-month">Month to close</Label>
          <MonthField id="close-month" value={month} onChange={setMonth} aria-invalid={error ? true : undefined} aria-describedby={error ? "close-month-error" : undefined} />
        </div>
        <Button type="submit">Close month…</Button>
        {error ? (
          <p id="close-month-error" role="alert" className="w-full text-sm text-destructive">
            {error}
          </p>
        ) : null}
      </form>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title={`Close ${month}?`}
        description={`The trial balance must balance and the close checks pass. Once closed, nothing can be posted with a date in ${month}: late payments, usage and reversals land in the next open month, referencing ${month}. Only an admin can reopen it, with a reason.`}
        confirmLabel={`Close ${month}`}
        successMessage={`${month} is closed.`}
        onConfirm={() => close.mutateAsync({ month })}
      />
    </>
  );
}
