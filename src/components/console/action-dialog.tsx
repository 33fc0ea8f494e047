"use client";

import { useState, type ReactNode } from "react";
import { toast } from "sonner";
import { z } from "zod";
import { Form, FormField, FormRootError, SubmitButton, useZodForm } from "@/components/form/form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Textarea } from "@/components/ui/textarea";
import { reasonSchema } from "@/lib/reason";
import { describeError } from "./use-mutation-error";

type ActionDialogBase = {
  /** The element that opens the dialog (a Button). Leave out and use `open`/`onOpenChange` to open it from code. */
  trigger?: ReactNode;
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
  /** A question: "Publish Team v3?" */
  title: ReactNode;
  /** What will happen, in words: who is affected, what changes, whether it can be undone. */
  description: ReactNode;
  /** The verb on the confirming button: "Publish", "Approve $250.00". */
  confirmLabel: string;
  /** Red button for what takes something away (revoke, write off, reverse). */
  destructive?: boolean;
  /** Toast shown after `onConfirm` resolves; a function gets its result. Leave out for no toast. */
  successMessage?: string | ((result: unknown) => string);
  /** Extra content between the description and the buttons (a summary table, a preview). */
  children?: ReactNode;
};

/**
 * Confirmation for a consequential action (publish, activate, approve, reverse, write off): says
 * what will happen and runs `onConfirm`. A failure stays in the dialog, in words, and as a toast;
 * success closes it with a toast.
 */
export function ConfirmDialog(props: ActionDialogBase & { onConfirm: () => Promise<unknown> }) {
  const [uncontrolledOpen, setUncontrolledOpen] = useState(false);
  const open = props.open ?? uncontrolledOpen;
  const setOpen = (next: boolean) => {
    if (!next) setError(null);
    setUncontrolledOpen(next);
    props.onOpenChange?.(next);
  };
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    setPending(true);
    setError(null);
    try {
      const result = await props.onConfirm();
      announceSuccess(props.successMessage, result);
      setOpen(false);
    } catch (caught) {
      const message = describeError(caught) ?? "Something went wrong. Try again.";
      setError(message);
      toast.error(message);
    } finally {
      setPending(false);
    }
  }

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      {props.trigger ? <DialogTrigger asChild>{props.trigger}</DialogTrigger> : null}
      <DialogContent data-testid="confirm-dialog">
        <DialogHeader>
          <DialogTitle>{props.title}</DialogTitle>
          <DialogDescription asChild>
            <div>{props.description}</div>
          </DialogDescription>
        </DialogHeader>
        {props.children}
        {error ? <Alert variant="destructive">{error}</Alert> : null}
        <div className="flex justify-end gap-2">
          <Button type="button" variant="outline" onClick={() => setOpen(false)}>
            Cancel
          </Button>
          <Button type="button" variant={props.destructive ? "destructive" : "default"} disabled={pending} onClick={() => void confirm()}>
            {pending ? "Working…" : props.confirmLabel}
          </Button>
        </div>
      </DialogContent>
    </Dialog>
  );
}

const reasonFormSchema = z.object({ reason: reasonSchema });

/**
 * The one dialog for every action that needs a reason (it goes to the audit log): states what
 * will happen, asks why, and runs `onConfirm(reason)`. Replaces `window.prompt`.
 */
export function ReasonDialog(props: ActionDialogBase & { onConfirm: (reason: string) => Promise<unknown>; reasonLabel?: string; defaultReason?: string }) {
  const [uncontrolledOpen, setUncontrolledOpen] = useState(false);
  const open = props.open ?? uncontrolledOpen;
  const form = useZodForm(reasonFormSchema, { defaultValues: { reason: props.defaultReason ?? "" } });
  const setOpen = (next: boolean) => {
    if (!next) form.clearErrors();
    setUncontrolledOpen(next);
    props.onOpenChange?.(next);
  };

  async function submit({ reason }: { reason: string }) {
    try {
      const result = await props.onConfirm(reason);
      announceSuccess(props.successMessage, result);
      form.reset({ reason: "" });
      setOpen(false);
    } catch (caught) {
      const message = describeError(caught, { reason: "Reason" }) ?? "Something went wrong. Try again.";
      form.setError("root.server", { type: "server", message });
      toast.error(message);
    }
  }

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      {props.trigger ? <DialogTrigger asChild>{props.trigger}</DialogTrigger> : null}
      <DialogContent data-testid="reason-dialog">
        <DialogHeader>
          <DialogTitle>{props.title}</DialogTitle>
          <DialogDescription asChild>
            <div>{props.description}</div>
          </DialogDescription>
        </DialogHeader>
        {props.children}
        <Form form={form} onSubmit={submit} className="flex flex-col gap-4" aria-label={props.confirmLabel}>
          <FormField control={form.control} name="reason" label={props.reasonLabel ?? "Reason"} description="Recorded in the audit log with your name.">
            {(field) => <Textarea rows={3} autoFocus {...field} />}
          </FormField>
          <FormRootError />
          <div className="flex justify-end gap-2">
            <Button type="button" variant="outline" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <SubmitButton variant={props.destructive ? "destructive" : "default"} pendingLabel="Working…">
              {props.confirmLabel}
            </SubmitButton>
          </div>
        </Form>
      </DialogContent>
    </Dialog>
  );
}

function announceSuccess(message: ActionDialogBase["successMessage"], result: unknown): void {
  if (message === undefined) return;
  toast.success(typeof message === "function" ? message(result) : message);
}
