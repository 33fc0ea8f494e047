"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import type { PlanVersionTermsInput } from "@/server/catalog/catalog-schemas";
import { useTRPC } from "@/trpc/react";

type Props = { planId: string; planVersionId: string; status: "draft" | "published" | "archived"; termsJson: string };

/**
 * What product does with a version: a draft's terms are edited (as JSON, checked in shape on save
 * and in meaning on publish, where every problem is listed) and published; a published version is
 * archived or copied into a new draft. Publishing and archiving ask why (the audit log keeps it).
 */
export function PlanVersionActions({ planId, planVersionId, status, termsJson }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const [terms, setTerms] = useState(termsJson);
  const [reason, setReason] = useState("");
  const [formError, setFormError] = useState<string | null>(null);
  const refresh = { onSuccess: () => router.refresh() };
  const save = useMutation(trpc.catalog.planVersion.updateDraft.mutationOptions(refresh));
  const publish = useMutation(trpc.catalog.planVersion.publish.mutationOptions(refresh));
  const archive = useMutation(trpc.catalog.planVersion.archive.mutationOptions(refresh));
  const copy = useMutation(trpc.catalog.planVersion.create.mutationOptions({ onSuccess: (version) => router.push(`/catalog/versions/${version.id}`) }));
  const error = formError ?? describeError(save.error ?? publish.error ?? archive.error ?? copy.error);

  function saveDraft(event: FormEvent) {
    event.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(terms);
    } catch (caught) {
      setFormError(`The terms are not valid JSON: ${caught instanceof Error ? caught.message : "check the brackets and quotes"}.`);
      return;
    }
    setFormError(null);
    save.mutate({ planVersionId, terms: parsed as Partial<PlanVersionTermsInput> });
  }

  if (status === "draft") {
    return (
      <Card>
        <CardHeader>
          <CardTitle>Edit this draft</CardTitle>
          <CardDescription>
            Terms as JSON: currency, billingInterval (month, year), baseFeePerSeatMicros (micro-units as a string), trialDays, entitlements and
            usagePrices (per_unit, graduated, volume or package, with optional per-dimension prices). Publishing checks that tiers are contiguous
            and increasing, the currency is consistent and every metered feature has a meter, and lists every problem it finds.
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-3">
          {error ? (
            <Alert variant="destructive" data-testid="plan-version-error">
              {error}
            </Alert>
          ) : null}
          <form onSubmit={saveDraft} className="flex flex-col gap-2" aria-label="Draft terms">
            <Label htmlFor="plan-version-terms">Terms</Label>
            <Textarea id="plan-version-terms" rows={18} className="font-mono text-xs" value={terms} onChange={(event) => setTerms(event.target.value)} />
            <div>
              <Button type="submit" variant="outline" disabled={save.isPending}>
                {save.isPending ? "Saving…" : "Save draft"}
              </Button>
              {save.isSuccess && !save.error ? <span className="ml-3 text-sm text-muted-foreground">Saved.</span> : null}
            </div>
          </form>
          <ReasonAction
            label="Publish"
            reason={reason}
            setReason={setReason}
            pending={publish.isPending}
            onSubmit={() => publish.mutate({ planVersionId, reason })}
            help="Once published, this version never changes; new subscriptions can choose it."
          />
        </CardContent>
      </Card>
    );
  }
  return (
    <Card>
      <CardHeader>
        <CardTitle>Change this plan</CardTitle>
        <CardDescription>A published version never changes. Copy it into a new draft, edit and publish that; customers move only when someone moves them.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        {error ? <Alert variant="destructive">{error}</Alert> : null}
        <div>
          <Button type="button" disabled={copy.isPending} onClick={() => copy.mutate({ planId, fromVersionId: planVersionId })}>
            New draft from this version
          </Button>
        </div>
        {status === "published" ? (
          <ReasonAction
            label="Archive"
            reason={reason}
            setReason={setReason}
            pending={archive.isPending}
            onSubmit={() => archive.mutate({ planVersionId, reason })}
            help="No new subscriptions on it; customers already on it stay."
          />
        ) : null}
      </CardContent>
    </Card>
  );
}

function ReasonAction(props: { label: string; reason: string; setReason: (reason: string) => void; pending: boolean; onSubmit: () => void; help: string }) {
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      aria-label={props.label}
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit();
      }}
    >
      <div className="flex min-w-72 flex-col gap-1">
        <Label htmlFor={`plan-version-${props.label}-reason`}>Why</Label>
        <Input id={`plan-version-${props.label}-reason`} required minLength={3} value={props.reason} onChange={(event) => props.setReason(event.target.value)} />
      </div>
      <Button type="submit" disabled={props.pending}>
        {props.label}
      </Button>
      <p className="text-sm text-muted-foreground">{props.help}</p>
    </form>
  );
}
