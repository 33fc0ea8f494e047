"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { useTRPC } from "@/trpc/react";

export function ReverseTransactionDialog({ transactionId }: { transactionId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const reverse = useMutation(
    trpc.ledger.transaction.reverse.mutationOptions({
      onSuccess: (result) => {
        setOpen(false);
        router.push(`/ledger/transactions/${result.reversalId}`);
        router.refresh();
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    reverse.mutate({ transactionId, reason });
  }

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="destructive">Reverse</Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Reverse this transaction</DialogTitle>
          <DialogDescription>
            Posts the mirror image of every entry, effective now. Nothing is deleted; a transaction can be reversed once.
          </DialogDescription>
        </DialogHeader>
        <form onSubmit={submit} className="flex flex-col gap-3">
          {reverse.error ? <Alert variant="destructive">{describeError(reverse.error)}</Alert> : null}
          <Label htmlFor="reverse-reason">Reason</Label>
          <Textarea id="reverse-reason" required value={reason} onChange={(event) => setReason(event.target.value)} />
          <Button type="submit" variant="destructive" disabled={reverse.isPending}>
            {reverse.isPending ? "Reversing…" : "Reverse transaction"}
          </Button>
        </form>
      </DialogContent>
    </Dialog>
  );
}
