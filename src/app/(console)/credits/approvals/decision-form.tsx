"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { useTRPC } from "@/trpc/react";

export function DecisionForm({ creditRequestId }: { creditRequestId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [note, setNote] = useState("");
  const decide = useMutation(trpc.grant.decide.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <div className="flex flex-col gap-2">
      <Input aria-label="Decision note" placeholder="Note (required to reject)" value={note} onChange={(event) => setNote(event.target.value)} />
      <div className="flex gap-2">
        <Button size="sm" disabled={decide.isPending} onClick={() => decide.mutate({ creditRequestId, decision: "approve", note })}>
          Approve
        </Button>
        <Button size="sm" variant="outline" disabled={decide.isPending} onClick={() => decide.mutate({ creditRequestId, decision: "reject", note })}>
          Reject
        </Button>
      </div>
      {decide.error ? <Alert variant="destructive">{describeError(decide.error)}</Alert> : null}
      {decide.data ? <p className="text-sm">{decide.data.request.status === "approved" ? "Approved: the credit is issued." : "Rejected."}</p> : null}
    </div>
  );
}
