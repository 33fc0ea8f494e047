"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { describeError } from "@/components/console/use-mutation-error";
import { Button } from "@/components/ui/button";
import { useTRPC } from "@/trpc/react";

/** Replays one webhook event; asks for a reason, which goes to the audit log. */
export function ReplayButton({ eventId }: { eventId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const replay = useMutation(trpc.stripe.replayEvent.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <div className="flex flex-col items-end gap-1">
      <Button
        size="sm"
        variant="outline"
        disabled={replay.isPending}
        onClick={() => {
          const reason = window.prompt("Why replay this event? (recorded in the audit log)");
          if (reason) replay.mutate({ eventId, reason });
        }}
      >
        Replay
      </Button>
      {replay.error ? <span className="text-xs text-destructive">{describeError(replay.error)}</span> : null}
    </div>
  );
}
