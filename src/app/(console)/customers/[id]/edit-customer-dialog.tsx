"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { useTRPC } from "@/trpc/react";

export function EditCustomerDialog({ customerId, name, email }: { customerId: string; name: string; email: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ name, email, reason: "" });
  const update = useMutation(
    trpc.customer.update.mutationOptions({
      onSuccess: () => {
        setOpen(false);
        router.refresh();
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    update.mutate({ customerId, name: form.name, email: form.email, reason: form.reason });
  }

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="outline">Edit details</Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Edit customer details</DialogTitle>
          <DialogDescription>Changes are recorded in the audit log with your reason.</DialogDescription>
        </DialogHeader>
        <form onSubmit={submit} className="flex flex-col gap-3">
          {update.error ? <Alert variant="destructive">{describeError(update.error)}</Alert> : null}
          <Label htmlFor="customer-name">Name</Label>
          <Input id="customer-name" value={form.name} onChange={(event) => setForm({ ...form, name: event.target.value })} />
          <Label htmlFor="customer-email">Email</Label>
          <Input id="customer-email" type="email" value={form.email} onChange={(event) => setForm({ ...form, email: event.target.value })} />
          <Label htmlFor="customer-reason">Reason</Label>
          <Textarea id="customer-reason" required value={form.reason} onChange={(event) => setForm({ ...form, reason: event.target.value })} />
          <Button type="submit" disabled={update.isPending}>
            {update.isPending ? "Saving…" : "Save"}
          </Button>
        </form>
      </DialogContent>
    </Dialog>
  );
}
