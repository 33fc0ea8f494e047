"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { ReasonDialog } from "@/components/console/action-dialog";
import { Button } from "@/components/ui/button";
import { useTRPC } from "@/trpc/react";

/** Replays one webhook event; asks for a reason, which goes to the audit log. */
export function ReplayButton({ eventId, eventType }: { eventId: string; eventType?: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const replay = useMutation(trpc.stripe.replayEvent.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <ReasonDialog
      trigger={
        <Button size="sm" variant="outline">
          Replay
        </Button>
      }
      title="Replay this webhook event?"
      description={`The ${eventType ?? "event"} is applied again: the Stripe object is fetched afresh and the mirror updated. Money is posted at most once, so a replay never double-counts.`}
      confirmLabel="Replay event"
      successMessage="Event replayed."
      onConfirm={(reason) => replay.mutateAsync({ eventId, reason })}
    />
  );
}
