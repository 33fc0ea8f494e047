"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { Role } from "@/db/schema/roles";
import { formatDateTime, formatMoney } from "@/lib/format";
import { parseMoneyToMicros } from "@/lib/parse-money";
import { useTRPC } from "@/trpc/react";

type LimitRow = { role: Role; limitMicros: string; isDefault: boolean; updatedBy: string | null; updatedAt: string | null };

export function CreditLimitsTable({ limits }: { limits: LimitRow[] }) {
  return (
    <div className="rounded-lg border">
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Role</TableHead>
            <TableHead>Limit per credit</TableHead>
            <TableHead>Set by</TableHead>
            <TableHead>Change</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {limits.map((limit) => (
            <TableRow key={limit.role} data-testid={`credit-limit-${limit.role}`}>
              <TableCell className="font-medium">{limit.role}</TableCell>
              <TableCell data-testid="credit-limit-amount">{formatMoney(limit.limitMicros)}</TableCell>
              <TableCell className="text-sm text-muted-foreground">
                {limit.isDefault ? <Badge variant="secondary">default</Badge> : `${limit.updatedBy ?? "?"}, ${formatDateTime(limit.updatedAt)}`}
              </TableCell>
              <TableCell>
                <CreditLimitForm role={limit.role} currentMicros={limit.limitMicros} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

function CreditLimitForm({ role, currentMicros }: { role: Role; currentMicros: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const [formError, setFormError] = useState<string | null>(null);
  const save = useMutation(
    trpc.grant.setLimit.mutationOptions({
      onSuccess: () => {
        setAmount("");
        setReason("");
        router.refresh();
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    // 0 is a valid limit: every credit then needs approval.
    const limitMicros = parseMoneyToMicros(amount, { allowZero: true });
    if (limitMicros === null) {
      setFormError("Give the limit as an amount such as 250 or 99.50 (0 sends every credit for approval).");
      return;
    }
    setFormError(null);
    save.mutate({ role, limitMicros, reason });
  }

  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-2" aria-label={`Change the ${role} credit limit`}>
      <div className="flex flex-col gap-1">
        <Label htmlFor={`credit-limit-${role}-amount`}>New limit ($)</Label>
        <Input
          id={`credit-limit-${role}-amount`}
          inputMode="decimal"
          required
          placeholder={formatMoney(currentMicros)}
          value={amount}
          onChange={(event) => setAmount(event.target.value)}
          className="w-32"
        />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor={`credit-limit-${role}-reason`}>Reason</Label>
        <Input id={`credit-limit-${role}-reason`} required minLength={3} value={reason} onChange={(event) => setReason(event.target.value)} className="w-56" />
      </div>
      <Button type="submit" size="sm" disabled={save.isPending}>
        {save.isPending ? "Saving…" : "Set limit"}
      </Button>
      {formError ? <Alert variant="destructive">{formError}</Alert> : null}
      {save.error ? <Alert variant="destructive">{describeError(save.error)}</Alert> : null}
    </form>
  );
}
