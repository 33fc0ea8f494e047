"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ReasonDialog } from "@/components/console/action-dialog";
import { Button } from "@/components/ui/button";
import { useTRPC } from "@/trpc/react";

/** Enable / disable and rotate the secret, each with a reason (audited). */
export function EndpointActions({ id, status }: { id: string; status: "enabled" | "disabled" }) {
  const trpc = useTRPC();
  const router = useRouter();
  const update = useMutation(trpc.webhookEndpoint.update.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <>
      {status === "disabled" ? (
        <ReasonDialog
          trigger={<Button>Enable</Button>}
          title="Enable this endpoint?"
          description="Pending deliveries resume at once; failed ones stay failed (replay them from the log)."
          confirmLabel="Enable"
          successMessage="Endpoint enabled."
          onConfirm={(reason) => update.mutateAsync({ id, status: "enabled", reason })}
        />
      ) : (
        <ReasonDialog
          trigger={<Button variant="outline">Disable</Button>}
          title="Disable this endpoint?"
          description="Nothing is sent to it while disabled; events keep queuing and are delivered when it is enabled again."
          confirmLabel="Disable"
          destructive
          successMessage="Endpoint disabled."
          onConfirm={(reason) => update.mutateAsync({ id, status: "disabled", reason })}
        />
      )}
      <ReasonDialog
        trigger={<Button variant="outline">Rotate secret</Button>}
        title="Rotate the signing secret?"
        description="Deliveries are signed with the new secret from now on; the receiver must switch to it, or it will refuse them."
        confirmLabel="Rotate"
        destructive
        successMessage="Secret rotated."
        onConfirm={(reason) => update.mutateAsync({ id, rotateSecret: true, reason })}
      />
    </>
  );
}

/** Shows the secret on request (to give it to the receiver). */
export function RevealSecret({ id, hint }: { id: string; hint: string }) {
  const trpc = useTRPC();
  const [secret, setSecret] = useState<string | null>(null);
  const reveal = useMutation(trpc.webhookEndpoint.revealSecret.mutationOptions({ onSuccess: (result) => setSecret(result.secret) }));
  return secret ? (
    <code className="break-all font-mono text-xs" data-testid="endpoint-secret">
      {secret}
    </code>
  ) : (
    <span className="flex items-center gap-2">
      <code className="font-mono text-xs">{hint}</code>
      <Button size="sm" variant="outline" onClick={() => reveal.mutate({ id })} disabled={reveal.isPending}>
        Reveal
      </Button>
    </span>
  );
}

/** Sends one delivery again now (same event id and body, new signature), with a reason (audited). */
export function ReplayDeliveryButton({ deliveryId, eventType }: { deliveryId: string; eventType: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const replay = useMutation(trpc.webhookEndpoint.replay.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <ReasonDialog
      trigger={<Button size="sm" variant="outline">Replay</Button>}
      title={`Send this ${eventType} again?`}
      description="The same event (same webhook-id, so a receiver that already has it ignores it) is sent now with a new signature; the attempt appears in the log."
      confirmLabel="Replay now"
      successMessage={(result) => {
        const outcome = result as { ok: boolean; statusCode: number | null; error: string | null };
        return outcome.ok ? `Delivered (HTTP ${outcome.statusCode}).` : `Still failing: ${outcome.error ?? `HTTP ${outcome.statusCode}`}.`;
      }}
      onConfirm={(reason) => replay.mutateAsync({ deliveryId, reason })}
    />
  );
}
