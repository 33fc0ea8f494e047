"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ConfirmDialog, ReasonDialog } from "@/components/console/action-dialog";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import type { AnomalyStatus } from "@/db/schema";
import { useTRPC } from "@/trpc/react";

type Props = {
  anomalyId: string;
  title: string;
  status: AnomalyStatus;
  assigneeId: string | null;
  assignees: { id: string; name: string; role: string }[];
  currentUserId: string;
};

/** Acknowledge, assign, note, resolve, dismiss, reopen: each confirmed in words, audited, and toasted. */
export function AnomalyActions({ anomalyId, title, status, assigneeId, assignees, currentUserId }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const refresh = { onSuccess: () => router.refresh() };
  const acknowledge = useMutation(trpc.anomaly.acknowledge.mutationOptions(refresh));
  const assign = useMutation(trpc.anomaly.assign.mutationOptions(refresh));
  const unassign = useMutation(trpc.anomaly.unassign.mutationOptions(refresh));
  const note = useMutation(trpc.anomaly.note.mutationOptions(refresh));
  const resolve = useMutation(trpc.anomaly.resolve.mutationOptions(refresh));
  const dismiss = useMutation(trpc.anomaly.dismiss.mutationOptions(refresh));
  const reopen = useMutation(trpc.anomaly.reopen.mutationOptions(refresh));
  const [pickedAssignee, setPickedAssignee] = useState(assigneeId ?? currentUserId);
  const active = status === "open" || status === "acknowledged";
  const pickedName = assignees.find((each) => each.id === pickedAssignee)?.name ?? "them";

  return (
    <div className="flex flex-col gap-4" data-testid="anomaly-actions">
      <div className="flex flex-wrap gap-2">
        {status === "open" ? (
          <ConfirmDialog
            trigger={<Button variant="outline">Acknowledge</Button>}
            title="Acknowledge this anomaly?"
            description="It stays in the queue as acknowledged, so others can see someone is on it."
            confirmLabel="Acknowledge"
            successMessage="Acknowledged."
            onConfirm={() => acknowledge.mutateAsync({ id: anomalyId })}
          />
        ) : null}
        <ReasonDialog
          trigger={<Button variant="outline">Add a note</Button>}
          title="Add a note"
          description="Notes appear in the anomaly's activity for everyone who investigates it."
          reasonLabel="Note"
          confirmLabel="Add note"
          successMessage="Note added."
          onConfirm={(text) => note.mutateAsync({ id: anomalyId, note: text })}
        />
        {active ? (
          <>
            <ReasonDialog
              trigger={<Button>Resolve</Button>}
              title="Resolve this anomaly?"
              description={`“${title}” leaves the queue as resolved. Detection will not reopen it; say what was done.`}
              reasonLabel="What was done"
              confirmLabel="Resolve"
              successMessage="Resolved."
              onConfirm={(reason) => resolve.mutateAsync({ id: anomalyId, reason })}
            />
            <ReasonDialog
              trigger={<Button variant="outline">Dismiss</Button>}
              title="Dismiss this anomaly?"
              description="It leaves the queue as not a problem (expected behaviour, a false alarm). Say why."
              confirmLabel="Dismiss"
              destructive
              successMessage="Dismissed."
              onConfirm={(reason) => dismiss.mutateAsync({ id: anomalyId, reason })}
            />
          </>
        ) : (
          <ReasonDialog
            trigger={<Button variant="outline">Reopen</Button>}
            title="Reopen this anomaly?"
            description="It goes back to the queue as open."
            confirmLabel="Reopen"
            successMessage="Reopened."
            onConfirm={(reason) => reopen.mutateAsync({ id: anomalyId, reason })}
          />
        )}
      </div>
      {active ? (
        <div className="flex flex-wrap items-end gap-2">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="anomaly-assignee">Assignee</Label>
            <NativeSelect id="anomaly-assignee" className="w-56" value={pickedAssignee} onChange={(event) => setPickedAssignee(event.target.value)}>
              {assignees.map((each) => (
                <option key={each.id} value={each.id}>
                  {each.name} ({each.role}){each.id === currentUserId ? " — me" : ""}
                </option>
              ))}
            </NativeSelect>
          </div>
          <ConfirmDialog
            trigger={
              <Button variant="outline" disabled={pickedAssignee === assigneeId}>
                Assign
              </Button>
            }
            title={`Assign to ${pickedName}?`}
            description="They will find it under “Assignee: me” in the queue. An open anomaly becomes acknowledged."
            confirmLabel="Assign"
            successMessage={`Assigned to ${pickedName}.`}
            onConfirm={() => assign.mutateAsync({ id: anomalyId, assigneeId: pickedAssignee })}
          />
          {assigneeId ? (
            <ConfirmDialog
              trigger={<Button variant="ghost">Unassign</Button>}
              title="Unassign?"
              description="Nobody will be assigned; it stays in the queue."
              confirmLabel="Unassign"
              successMessage="Unassigned."
              onConfirm={() => unassign.mutateAsync({ id: anomalyId })}
            />
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
