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

/** Admin reopens the latest closed month, saying why (kept in the audit log). */
export function ReopenMonthDialog({ month }: { month: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const reopen = useMutation(
    trpc.report.period.reopen.mutationOptions({
      onSuccess: () => {
        setOpen(false);
        router.refresh();
      },
    }),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    reopen.mutate({ month, reason });
  }
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="outline" size="sm">
          Reopen…
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Reopen {month}</DialogTitle>
          <DialogDescription>Postings dated in {month} will be accepted again and its reports may change. Say why; it is kept in the audit log.</DialogDescription>
        </DialogHeader>
        <form onSubmit={submit} className="flex flex-col gap-3">
          {reopen.error ? <Alert variant="destructive">{describeError(reopen.error)}</Alert> : null}
          <Label htmlFor="reopen-reason">Reason</Label>
          <Textarea id="reopen-reason" required minLength={3} value={reason} onChange={(event) => setReason(event.target.value)} />
          <Button type="submit" variant="destructive" disabled={reopen.isPending}>
            {reopen.isPending ? "Reopening…" : `Reopen ${month}`}
          </Button>
        </form>
      </DialogContent>
    </Dialog>
  );
}
