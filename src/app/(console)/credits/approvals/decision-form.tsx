"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { ConfirmDialog, ReasonDialog } from "@/components/console/action-dialog";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { useTRPC } from "@/trpc/react";

type Props = { creditRequestId: string; customerName: string; amountLabel: string };

/** Approve (confirmed in words, then a toast) or reject (with the reason the requester will read). */
export function DecisionForm({ creditRequestId, customerName, amountLabel }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const noteId = useId();
  const [note, setNote] = useState("");
  const decide = useMutation(trpc.grant.decide.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <div className="flex flex-col gap-2">
      <Label htmlFor={noteId} className="sr-only">
        Decision note
      </Label>
      <Input id={noteId} placeholder="Note (optional to approve)" value={note} onChange={(event) => setNote(event.target.value)} />
      <div className="flex gap-2">
        <ConfirmDialog
          trigger={<Button size="sm">Approve</Button>}
          title={`Approve ${amountLabel} for ${customerName}?`}
          description={`A goodwill credit of ${amountLabel} is issued to ${customerName} now and used for their next usage charges. The requester sees the approval; the audit log records it with your name${note.trim() ? " and your note" : ""}.`}
          confirmLabel={`Approve ${amountLabel}`}
          successMessage={`Approved: ${amountLabel} credit issued to ${customerName}.`}
          onConfirm={() => decide.mutateAsync({ creditRequestId, decision: "approve", note })}
        />
        <ReasonDialog
          trigger={
            <Button size="sm" variant="outline">
              Reject
            </Button>
          }
          title={`Reject ${amountLabel} for ${customerName}?`}
          description="No credit is issued. The requester sees your reason."
          reasonLabel="Why is it rejected?"
          defaultReason={note}
          destructive
          confirmLabel="Reject request"
          successMessage="Rejected: the requester sees your reason."
          onConfirm={(reason) => decide.mutateAsync({ creditRequestId, decision: "reject", note: reason })}
        />
      </div>
    </div>
  );
}
