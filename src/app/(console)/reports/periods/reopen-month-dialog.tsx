"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { ReasonDialog } from "@/components/console/action-dialog";
import { Button } from "@/components/ui/button";
import { useTRPC } from "@/trpc/react";

/** Admin reopens the latest closed month, saying why (kept in the audit log). */
export function ReopenMonthDialog({ month }: { month: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const reopen = useMutation(trpc.report.period.reopen.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <ReasonDialog
      trigger={
        <Button variant="outline" size="sm">
          Reopen…
        </Button>
      }
      title={`Reopen ${month}?`}
      description={`Postings dated in ${month} will be accepted again and its reports may change; its snapshots are removed until it is closed again.`}
      confirmLabel={`Reopen ${month}`}
      destructive
      successMessage={`${month} is reopened.`}
      onConfirm={(reason) => reopen.mutateAsync({ month, reason })}
    />
  );
}
