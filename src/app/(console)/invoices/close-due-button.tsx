"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { ReasonDialog } from "@/components/console/action-dialog";
import { Button } from "@/components/ui/button";
import { useTRPC } from "@/trpc/react";

/** Finance: close every billing period that has ended, now (the hourly job does the same). */
export function CloseDueButton() {
  const trpc = useTRPC();
  const router = useRouter();
  const close = useMutation(trpc.invoice.closeDue.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <div className="flex flex-col items-end gap-1">
      <ReasonDialog
        trigger={<Button>Close due periods now</Button>}
        title="Close every ended billing period now?"
        description="Each subscription whose period has ended gets its invoice: usage is rated, credits applied and the invoice finalized. The hourly job does the same; a period already closed is left alone."
        confirmLabel="Close due periods"
        successMessage={(result) => {
          const data = result as { created: number; exists: number; failed: number };
          return `${data.created} invoices created, ${data.exists} already closed${data.failed > 0 ? `, ${data.failed} failed` : ""}.`;
        }}
        onConfirm={(reason) => close.mutateAsync({ reason })}
      />
      {close.data ? (
        <span className="text-xs text-muted-foreground" data-testid="close-due-result" role="status">
          {close.data.created} invoices created, {close.data.exists} already closed{close.data.failed > 0 ? `, ${close.data.failed} failed` : ""}
        </span>
      ) : null}
    </div>
  );
}
