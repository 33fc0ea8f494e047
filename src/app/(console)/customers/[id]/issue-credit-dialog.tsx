"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { DatePicker, dayFromText, formatDateUtc } from "@/components/form/date-picker";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { formatMoney } from "@/lib/format";
import { parseMoneyToMicros } from "@/lib/parse-money";
import { useTRPC } from "@/trpc/react";

const emptyForm = { amount: "", reason: "", expiresOn: "" };

/**
 * Issue a goodwill credit. The request id is made once per opening of the dialog, so a double
 * submit or a retry after a network error returns the first result instead of a second credit.
 */
export function IssueCreditDialog({ customerId }: { customerId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [requestId, setRequestId] = useState("");
  const [form, setForm] = useState(emptyForm);
  const [invalid, setInvalid] = useState<string | null>(null);
  const issue = useMutation(trpc.grant.request.mutationOptions({ onSuccess: () => router.refresh() }));

  function openChange(next: boolean) {
    setOpen(next);
    if (next) {
      setRequestId(crypto.randomUUID());
      setForm(emptyForm);
      setInvalid(null);
      issue.reset();
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const amountMicros = parseMoneyToMicros(form.amount);
    if (!amountMicros) {
      setInvalid("Type an amount in dollars, e.g. 25 or 25.50.");
      return;
    }
    setInvalid(null);
    const expiresAt = form.expiresOn ? new Date(`${form.expiresOn}T00:00:00Z`) : null;
    issue.mutate({ customerId, amountMicros, reason: form.reason, expiresAt, requestId });
  }

  const result = issue.data;
  return (
    <Dialog open={open} onOpenChange={openChange}>
      <DialogTrigger asChild>
        <Button variant="outline">Issue credit</Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Issue a goodwill credit</DialogTitle>
          <DialogDescription>Credits above your limit are sent to finance for approval. Your reason is recorded in the audit log.</DialogDescription>
        </DialogHeader>
        {result ? (
          <div className="flex flex-col gap-3">
            <Alert data-testid="issue-credit-result">
              {result.outcome === "issued"
                ? `Issued ${formatMoney(result.request.amountMicros, result.request.currency)} of credit.`
                : result.outcome === "pending_approval"
                  ? `${formatMoney(result.request.amountMicros, result.request.currency)} is above your limit of ${formatMoney(result.request.limitMicros, result.request.currency)}: sent for approval.`
                  : "This request was rejected."}
            </Alert>
            <Button onClick={() => openChange(false)}>Close</Button>
          </div>
        ) : (
          <form onSubmit={submit} className="flex flex-col gap-3">
            {invalid || issue.error ? <Alert variant="destructive">{invalid ?? describeError(issue.error)}</Alert> : null}
            <Label htmlFor="credit-amount">Amount (USD)</Label>
            <Input id="credit-amount" inputMode="decimal" placeholder="25.00" required value={form.amount} onChange={(event) => setForm({ ...form, amount: event.target.value })} />
            <Label htmlFor="credit-reason">Reason</Label>
            <Textarea id="credit-reason" required minLength={3} value={form.reason} onChange={(event) => setForm({ ...form, reason: event.target.value })} />
            <Label htmlFor="credit-expiry">Expires on (optional)</Label>
            <DatePicker id="credit-expiry" clearable placeholder="Never" fromDate={new Date()} value={dayFromText(form.expiresOn)} onChange={(day) => setForm({ ...form, expiresOn: day ? formatDateUtc(day) : "" })} />
            <Button type="submit" disabled={issue.isPending}>
              {issue.isPending ? "Issuing…" : "Issue credit"}
            </Button>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
