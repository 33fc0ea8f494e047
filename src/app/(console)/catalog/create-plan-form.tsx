"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { useTRPC } from "@/trpc/react";

/** A new plan, then its first version as a draft (usd, monthly, empty terms) to fill in and publish. */
export function CreatePlanForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [form, setForm] = useState({ key: "", name: "" });
  const createVersion = useMutation(trpc.catalog.planVersion.create.mutationOptions({ onSuccess: (version) => router.push(`/catalog/versions/${version.id}`) }));
  const create = useMutation(
    trpc.catalog.plan.create.mutationOptions({
      onSuccess: (plan) =>
        createVersion.mutate({
          planId: plan.id,
          terms: { currency: "usd", billingInterval: "month", baseFeePerSeatMicros: "0", trialDays: 0, entitlements: [], usagePrices: [] },
        }),
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ key: form.key.trim(), name: form.name.trim(), description: "" });
  }

  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-3" aria-label="New plan">
      <div className="flex flex-col gap-1">
        <Label htmlFor="plan-key">Key</Label>
        <Input id="plan-key" required placeholder="team_plus" value={form.key} onChange={(event) => setForm({ ...form, key: event.target.value })} className="w-44 font-mono" />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="plan-name">Name</Label>
        <Input id="plan-name" required placeholder="Team Plus" value={form.name} onChange={(event) => setForm({ ...form, name: event.target.value })} className="w-56" />
      </div>
      <Button type="submit" disabled={create.isPending || createVersion.isPending}>
        New plan
      </Button>
      {create.error || createVersion.error ? <Alert variant="destructive">{describeError(create.error ?? createVersion.error)}</Alert> : null}
    </form>
  );
}
