"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { describeError } from "@/components/console/use-mutation-error";
import { Button } from "@/components/ui/button";
import { useTRPC } from "@/trpc/react";

/** Finance: close every billing period that has ended, now (the hourly job does the same). */
export function CloseDueButton() {
  const trpc = useTRPC();
  const router = useRouter();
  const close = useMutation(trpc.invoice.closeDue.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <div className="flex flex-col items-end gap-1">
      <Button
        disabled={close.isPending}
        onClick={() => {
          const reason = window.prompt("Why close due periods now? (recorded in the audit log)");
          if (reason) close.mutate({ reason });
        }}
      >
        {close.isPending ? "Closing…" : "Close due periods now"}
      </Button>
      {close.data ? (
        <span className="text-xs text-muted-foreground" data-testid="close-due-result">
          {close.data.created} invoices created, {close.data.exists} already closed{close.data.failed > 0 ? `, ${close.data.failed} failed` : ""}
        </span>
      ) : null}
      {close.error ? <span className="text-xs text-destructive">{describeError(close.error)}</span> : null}
    </div>
  );
}
