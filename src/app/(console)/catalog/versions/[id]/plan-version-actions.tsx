"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { ReasonDialog } from "@/components/console/action-dialog";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import type { PlanVersionTermsInput } from "@/server/catalog/catalog-schemas";
import { useTRPC } from "@/trpc/react";
import { TermsEditor, type FeatureInfo, type MeterInfo } from "./terms-editor";

type Props = {
  planId: string;
  planVersionId: string;
  label: string;
  status: "draft" | "published" | "archived";
  terms: PlanVersionTermsInput;
  meters: MeterInfo[];
  features: FeatureInfo[];
};

/**
 * What product does with a version: a draft's terms are edited in a form (checked in shape on
 * save and in meaning on publish, where every problem is listed) and published; a published
 * version is archived or copied into a new draft. Publishing and archiving ask why (audit log).
 */
export function PlanVersionActions({ planId, planVersionId, label, status, terms, meters, features }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const refresh = { onSuccess: () => router.refresh() };
  const publish = useMutation(trpc.catalog.planVersion.publish.mutationOptions(refresh));
  const archive = useMutation(trpc.catalog.planVersion.archive.mutationOptions(refresh));
  const copy = useMutation(trpc.catalog.planVersion.create.mutationOptions({ onSuccess: (version) => router.push(`/catalog/versions/${version.id}`) }));
  const error = describeError(copy.error);

  if (status === "draft") {
    return (
      <Card>
        <CardHeader>
          <CardTitle>Edit this draft</CardTitle>
          <CardDescription>
            Save as often as you like; nothing reaches customers until you publish. Publishing checks that tiers increase and end open, the
            currency is consistent and every metered feature has a meter, and lists every problem it finds.
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-6">
          <TermsEditor planVersionId={planVersionId} initial={terms} meters={meters} features={features} />
          <div className="flex flex-wrap items-center gap-3 border-t pt-4">
            <ReasonDialog
              trigger={<Button>Publish…</Button>}
              title={`Publish ${label}?`}
              description="Once published this version never changes: new subscriptions can choose it, and its price is synced to Stripe. Customers on other versions stay where they are until someone moves them. Save the draft first: the saved terms are what is published."
              confirmLabel="Publish"
              successMessage={`${label} is published.`}
              onConfirm={(reason) => publish.mutateAsync({ planVersionId, reason })}
            />
            <p className="text-sm text-muted-foreground">Publishing uses the saved draft.</p>
          </div>
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
        <div className="flex flex-wrap gap-3">
          <Button type="button" disabled={copy.isPending} onClick={() => copy.mutate({ planId, fromVersionId: planVersionId })}>
            New draft from this version
          </Button>
          {status === "published" ? (
            <ReasonDialog
              trigger={<Button variant="outline">Archive…</Button>}
              title={`Archive ${label}?`}
              description="No new subscriptions can choose it; customers already on it stay on it and keep being billed by it."
              confirmLabel="Archive"
              destructive
              successMessage={`${label} is archived.`}
              onConfirm={(reason) => archive.mutateAsync({ planVersionId, reason })}
            />
          ) : null}
        </div>
      </CardContent>
    </Card>
  );
}
