"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { useTRPC } from "@/trpc/react";

/** Support writes a note on the customer; it is audited and appears on the timeline. */
export function AddNoteForm({ customerId }: { customerId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [body, setBody] = useState("");
  const add = useMutation(
    trpc.customer.note.add.mutationOptions({
      onSuccess: () => {
        setBody("");
        toast.success("Note added to the customer.");
        router.refresh();
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    add.mutate({ customerId, body });
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-2" aria-label="Add a note">
      <Label htmlFor="customer-note-body">New note</Label>
      <Textarea id="customer-note-body" required maxLength={4000} value={body} onChange={(event) => setBody(event.target.value)} placeholder="What the customer asked, what you promised…" />
      <div>
        <Button type="submit" disabled={add.isPending || body.trim() === ""}>
          {add.isPending ? "Adding…" : "Add note"}
        </Button>
      </div>
      {add.error ? <Alert variant="destructive">{describeError(add.error)}</Alert> : null}
    </form>
  );
}
