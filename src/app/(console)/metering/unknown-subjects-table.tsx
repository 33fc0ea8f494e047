"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Textarea } from "@/components/ui/textarea";
import { formatDateTime } from "@/lib/format";
import { useTRPC } from "@/trpc/react";

type Subject = { subject: string; events: number; firstOccurredAt: string; lastOccurredAt: string; customer: { id: string; name: string } | null };

export function UnknownSubjectsTable({ subjects, canAttach }: { subjects: Subject[]; canAttach: boolean }) {
  if (subjects.length === 0) {
    return <p className="text-sm text-muted-foreground">Every stored event belongs to a known customer.</p>;
  }
  return (
    <div className="flex flex-col gap-3">
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Subject (external id)</TableHead>
            <TableHead className="text-right">Events</TableHead>
            <TableHead>Occurred</TableHead>
            <TableHead>Customer</TableHead>
            <TableHead>
                <span className="sr-only">Actions</span>
              </TableHead>
          </TableRow>
        </TableHeader>
        <TableBody data-testid="unknown-subjects-table">
          {subjects.map((subject) => (
            <TableRow key={subject.subject}>
              <TableCell className="font-mono text-xs">{subject.subject}</TableCell>
              <TableCell className="text-right tabular-nums">{subject.events.toLocaleString("en-US")}</TableCell>
              <TableCell className="whitespace-nowrap text-xs">
                {formatDateTime(subject.firstOccurredAt)} → {formatDateTime(subject.lastOccurredAt)}
              </TableCell>
              <TableCell className="max-w-sm whitespace-normal text-sm">
                {subject.customer ? (
                  <Link className="underline underline-offset-4" href={`/customers/${subject.customer.id}`}>
                    {subject.customer.name}
                  </Link>
                ) : (
                  <span className="text-xs text-muted-foreground">
                    No customer has this external id yet. Customers are created by the product&apos;s sign-up sync: once it creates one with this id, attach
                    the events here. If the id is a typo, fix the sender; the events stay under this subject.
                  </span>
                )}
              </TableCell>
              <TableCell className="text-right">
                {canAttach && subject.customer ? <AttachDialog subject={subject.subject} events={subject.events} customerName={subject.customer.name} /> : null}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

export function AttachDialog({ subject, events, customerName }: { subject: string; events: number; customerName: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const attach = useMutation(
    trpc.metering.attachUnknown.mutationOptions({
      onSuccess: () => {
        setOpen(false);
        router.refresh();
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    attach.mutate({ externalId: subject, reason });
  }

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="sm" variant="outline">
          Attach
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Attach {events.toLocaleString("en-US")} events to {customerName}?</DialogTitle>
          <DialogDescription>
            Events with subject <span className="font-mono">{subject}</span> will belong to this customer. Their usage totals do not change (rollups are
            kept by subject); the change is recorded in the audit log.
          </DialogDescription>
        </DialogHeader>
        <form onSubmit={submit} className="flex flex-col gap-3">
          {attach.error ? <Alert variant="destructive">{describeError(attach.error)}</Alert> : null}
          <Label htmlFor={`attach-reason-${subject}`}>Reason</Label>
          <Textarea id={`attach-reason-${subject}`} required value={reason} onChange={(event) => setReason(event.target.value)} />
          <Button type="submit" disabled={attach.isPending}>
            {attach.isPending ? "Attaching…" : "Attach events"}
          </Button>
        </form>
      </DialogContent>
    </Dialog>
  );
}
