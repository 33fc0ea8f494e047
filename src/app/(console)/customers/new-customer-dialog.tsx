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
import { NativeSelect } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { useTRPC } from "@/trpc/react";

const empty = { externalId: "", name: "", email: "", kind: "individual" as "individual" | "team", reason: "" };

/** Support and admin create a customer by hand (the product's back end creates most through the API); then the customer page opens. */
export function NewCustomerDialog() {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState(empty);
  const create = useMutation(
    trpc.customer.create.mutationOptions({
      onSuccess: (customer) => {
        setOpen(false);
        setForm(empty);
        router.push(`/customers/${customer.id}`);
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ externalId: form.externalId, name: form.name, email: form.email, kind: form.kind, reason: form.reason });
  }

  return (
    <Dialog open={open} onOpenChange={(next) => { setOpen(next); if (next) create.reset(); }}>
      <DialogTrigger asChild>
        <Button>New customer</Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>New customer</DialogTitle>
          <DialogDescription>The external id is the product&apos;s own id for the customer: usage events name it. The creation is audited with your reason.</DialogDescription>
        </DialogHeader>
        <form onSubmit={submit} className="flex flex-col gap-3">
          {create.error ? <Alert variant="destructive">{describeError(create.error)}</Alert> : null}
          <Label htmlFor="new-customer-external-id">External id</Label>
          <Input id="new-customer-external-id" required maxLength={256} value={form.externalId} onChange={(event) => setForm({ ...form, externalId: event.target.value })} placeholder="usr_42" />
          <Label htmlFor="new-customer-name">Name</Label>
          <Input id="new-customer-name" required maxLength={200} value={form.name} onChange={(event) => setForm({ ...form, name: event.target.value })} />
          <Label htmlFor="new-customer-email">Email</Label>
          <Input id="new-customer-email" type="email" required value={form.email} onChange={(event) => setForm({ ...form, email: event.target.value })} />
          <Label htmlFor="new-customer-kind">Kind</Label>
          <NativeSelect id="new-customer-kind" value={form.kind} onChange={(event) => setForm({ ...form, kind: event.target.value as "individual" | "team" })}>
            <option value="individual">Individual developer</option>
            <option value="team">Team</option>
          </NativeSelect>
          <Label htmlFor="new-customer-reason">Reason</Label>
          <Textarea id="new-customer-reason" required minLength={3} value={form.reason} onChange={(event) => setForm({ ...form, reason: event.target.value })} />
          <Button type="submit" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create customer"}
          </Button>
        </form>
      </DialogContent>
    </Dialog>
  );
}
