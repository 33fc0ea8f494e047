"use client";

import { useMutation } from "@tanstack/react-query";
import { Plus, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { useFieldArray, useWatch, type Path } from "react-hook-form";
import { toast } from "sonner";
import { describeError } from "@/components/console/use-mutation-error";
import { applyServerError, Form, FormRootError, SubmitButton, useZodForm } from "@/components/form/form";
import { MoneyInput } from "@/components/form/money-input";
import { FeaturePicker, MeterPicker } from "@/components/form/pickers";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { planVersionTermsSchema, type PlanVersionTermsInput } from "@/server/catalog/catalog-schemas";
import type { PriceInput } from "@/server/pricing";
import { useTRPC } from "@/trpc/react";
import { emptyPrice, FieldError, OverrideFields, PriceModelFields, TextField, type TermsForm } from "./price-fields";
import { PricePreview } from "./price-preview";

export type MeterInfo = { key: string; name: string; unit: string; groupBy: string[] };
export type FeatureInfo = { key: string; name: string; kind: "boolean" | "metered" | "config" };

/**
 * A draft's terms as a form: base fee, trial, entitlements and one price per meter, each priced
 * by model (per unit, graduated, volume, package) with an included quantity and per-dimension
 * overrides, and a live preview rated by the pricing engine. Checked by the server's own schema;
 * JSON stays available as an advanced fallback.
 */
export function TermsEditor({ planVersionId, initial, meters, features }: { planVersionId: string; initial: PlanVersionTermsInput; meters: MeterInfo[]; features: FeatureInfo[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [advanced, setAdvanced] = useState(false);
  const form = useZodForm(planVersionTermsSchema, { defaultValues: initial }) as unknown as TermsForm;
  const save = useMutation(trpc.catalog.planVersion.updateDraft.mutationOptions({ onSuccess: () => router.refresh() }));
  const currency = (useWatch({ control: form.control, name: "currency" }) as string | undefined) ?? "usd";

  async function submit(terms: PlanVersionTermsInput) {
    try {
      await save.mutateAsync({ planVersionId, terms });
      form.reset(terms);
      toast.success("Draft saved. Publish when it is ready.");
    } catch (error) {
      applyServerError(form as never, error, { pathPrefix: ["terms"] });
      toast.error(describeError(error) ?? "The draft was not saved.");
    }
  }

  if (advanced) {
    return <AdvancedJson planVersionId={planVersionId} initial={form.getValues()} onBack={() => setAdvanced(false)} />;
  }

  return (
    <Form form={form as never} onSubmit={(values) => submit(values as PlanVersionTermsInput)} className="flex flex-col gap-6" aria-label="Draft terms">
      <section className="flex flex-wrap items-start gap-4" aria-label="Fee and trial">
        <BaseFeeField form={form} />
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="terms-interval">Billed every</Label>
          <NativeSelect id="terms-interval" className="w-32" {...form.register("billingInterval")}>
            <option value="month">month</option>
            <option value="year">year</option>
          </NativeSelect>
        </div>
        <TextField form={form} name="currency" label="Currency" inputClassName="w-20 font-mono" />
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="terms-trial">Trial (days)</Label>
          <input
            id="terms-trial"
            type="number"
            min={0}
            max={365}
            className="flex h-9 w-24 rounded-md border border-input bg-transparent px-3 py-1 text-sm shadow-sm"
            {...form.register("trialDays", { valueAsNumber: true })}
          />
          <FieldError form={form} name="trialDays" />
        </div>
      </section>
      <EntitlementRows form={form} features={features} />
      <UsagePriceRows form={form} meters={meters} currency={currency} />
      <FormRootError />
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pending={save.isPending} pendingLabel="Saving…">
          Save draft
        </SubmitButton>
        <Button type="button" variant="ghost" onClick={() => setAdvanced(true)}>
          Advanced: edit as JSON
        </Button>
      </div>
    </Form>
  );
}

function BaseFeeField({ form }: { form: TermsForm }) {
  const value = useWatch({ control: form.control, name: "baseFeePerSeatMicros" }) as string | bigint | undefined;
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor="terms-base-fee">Base fee per seat</Label>
      <MoneyInput
        id="terms-base-fee"
        className="w-32"
        value={value ?? "0"}
        onChange={(micros) => form.setValue("baseFeePerSeatMicros", micros ?? "0", { shouldDirty: true })}
        onProblem={(message) => (message ? form.setError("baseFeePerSeatMicros", { type: "server", message }) : form.clearErrors("baseFeePerSeatMicros"))}
      />
      <FieldError form={form} name="baseFeePerSeatMicros" />
    </div>
  );
}

function EntitlementRows({ form, features }: { form: TermsForm; features: FeatureInfo[] }) {
  const list = useFieldArray({ control: form.control, name: "entitlements" });
  const values = (useWatch({ control: form.control, name: "entitlements" }) ?? []) as PlanVersionTermsInput["entitlements"];
  return (
    <section className="flex flex-col gap-3" aria-labelledby="terms-entitlements">
      <h3 id="terms-entitlements" className="font-medium">
        Entitlements
      </h3>
      {list.fields.length === 0 ? <p className="text-sm text-muted-foreground">No features are granted by this plan yet.</p> : null}
      {list.fields.map((field, index) => {
        const entitlement = values[index];
        const base = `entitlements.${index}`;
        return (
          <div key={field.id} className="flex flex-wrap items-start gap-3 rounded-md border p-3" data-testid={`entitlement-${index}`}>
            <div className="flex flex-col gap-1.5">
              <span className="text-sm font-medium">Feature</span>
              <FeaturePicker
                aria-label={`Feature of entitlement ${index + 1}`}
                value={entitlement?.featureKey}
                valueLabel={features.find((feature) => feature.key === entitlement?.featureKey)?.name}
                onChange={(key) => {
                  const feature = features.find((each) => each.key === key);
                  const kind = feature?.kind ?? "boolean";
                  const next =
                    kind === "boolean"
                      ? { featureKey: key ?? "", kind, enabled: true }
                      : kind === "config"
                        ? { featureKey: key ?? "", kind, value: "" }
                        : { featureKey: key ?? "", kind, meterKey: key ?? "", allowancePerPeriod: null, overage: "bill" as const };
                  form.setValue(base as Path<PlanVersionTermsInput>, next as never, { shouldDirty: true, shouldValidate: true });
                }}
              />
              <FieldError form={form} name={`${base}.featureKey`} />
            </div>
            {entitlement?.kind === "boolean" ? (
              <label className="mt-7 flex items-center gap-2 text-sm">
                <input type="checkbox" {...form.register(`${base}.enabled` as Path<PlanVersionTermsInput>)} /> Enabled
              </label>
            ) : null}
            {entitlement?.kind === "config" ? <TextField form={form} name={`${base}.value`} label="Value" inputClassName="w-40" /> : null}
            {entitlement?.kind === "metered" ? (
              <>
                <div className="flex flex-col gap-1.5">
                  <span className="text-sm font-medium">Counted by meter</span>
                  <MeterPicker
                    aria-label={`Meter of entitlement ${index + 1}`}
                    value={entitlement.meterKey}
                    onChange={(key) => form.setValue(`${base}.meterKey` as Path<PlanVersionTermsInput>, (key ?? "") as never, { shouldDirty: true, shouldValidate: true })}
                  />
                  <FieldError form={form} name={`${base}.meterKey`} />
                </div>
                <AllowanceField form={form} name={`${base}.allowancePerPeriod`} />
                <div className="flex flex-col gap-1.5">
                  <Label htmlFor={`${base}-overage`}>Past the allowance</Label>
                  <NativeSelect id={`${base}-overage`} className="w-40" {...form.register(`${base}.overage` as Path<PlanVersionTermsInput>)}>
                    <option value="bill">bill the overage</option>
                    <option value="block">block</option>
                  </NativeSelect>
                </div>
              </>
            ) : null}
            <Button type="button" variant="ghost" size="sm" className="mt-6 ml-auto" onClick={() => list.remove(index)}>
              <Trash2 aria-hidden /> Remove
            </Button>
          </div>
        );
      })}
      <div>
        <Button type="button" variant="outline" size="sm" onClick={() => list.append({ featureKey: "", kind: "boolean", enabled: true })}>
          <Plus aria-hidden /> Add an entitlement
        </Button>
      </div>
    </section>
  );
}

function AllowanceField({ form, name }: { form: TermsForm; name: string }) {
  const id = useId();
  const value = useWatch({ control: form.control, name: name as never }) as string | null | undefined;
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id}>Allowance per period</Label>
      <input
        id={id}
        className="flex h-9 w-36 rounded-md border border-input bg-transparent px-3 py-1 text-sm shadow-sm"
        placeholder="unlimited"
        value={value ?? ""}
        onChange={(event) => form.setValue(name as Path<PlanVersionTermsInput>, (event.target.value.trim() === "" ? null : event.target.value.trim()) as never, { shouldDirty: true })}
      />
      <FieldError form={form} name={name} />
    </div>
  );
}

function UsagePriceRows({ form, meters, currency }: { form: TermsForm; meters: MeterInfo[]; currency: string }) {
  const list = useFieldArray({ control: form.control, name: "usagePrices" });
  const values = (useWatch({ control: form.control, name: "usagePrices" }) ?? []) as PlanVersionTermsInput["usagePrices"];
  return (
    <section className="flex flex-col gap-3" aria-labelledby="terms-prices">
      <h3 id="terms-prices" className="font-medium">
        Usage prices
      </h3>
      {list.fields.length === 0 ? <p className="text-sm text-muted-foreground">No usage is priced yet.</p> : null}
      {list.fields.map((field, index) => {
        const value = values[index];
        const meter = meters.find((each) => each.key === value?.meterKey);
        const base = `usagePrices.${index}`;
        const overrides = (value?.price as { dimensionOverrides?: { dimension: string; prices: { value: string }[] } } | undefined)?.dimensionOverrides;
        return (
          <div key={field.id} className="flex flex-col gap-4 rounded-md border p-3" data-testid={`usage-price-${index}`}>
            <div className="flex flex-wrap items-start gap-3">
              <div className="flex flex-col gap-1.5">
                <span className="text-sm font-medium">Meter</span>
                <MeterPicker
                  aria-label={`Meter of usage price ${index + 1}`}
                  value={value?.meterKey}
                  valueLabel={meter?.name}
                  onChange={(key) => form.setValue(`${base}.meterKey` as Path<PlanVersionTermsInput>, (key ?? "") as never, { shouldDirty: true, shouldValidate: true })}
                />
                <FieldError form={form} name={`${base}.meterKey`} />
              </div>
              <Button type="button" variant="ghost" size="sm" className="ml-auto" onClick={() => list.remove(index)}>
                <Trash2 aria-hidden /> Remove price
              </Button>
            </div>
            <PriceModelFields form={form} name={`${base}.price`} currency={currency} />
            <OverrideFields form={form} name={`${base}.price`} currency={currency} dimensions={meter?.groupBy ?? []} />
            {value?.price ? (
              <PricePreview
                price={value.price as PriceInput}
                currency={currency}
                dimension={overrides?.dimension ?? null}
                dimensionValues={(overrides?.prices ?? []).map((each) => each.value).filter(Boolean)}
              />
            ) : null}
          </div>
        );
      })}
      <div>
        <Button type="button" variant="outline" size="sm" onClick={() => list.append({ meterKey: "", price: emptyPrice("graduated") })}>
          <Plus aria-hidden /> Add a usage price
        </Button>
      </div>
    </section>
  );
}

/** The terms as JSON, for what the form does not cover; checked by the same schema on save. */
function AdvancedJson({ planVersionId, initial, onBack }: { planVersionId: string; initial: PlanVersionTermsInput; onBack: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [text, setText] = useState(() => JSON.stringify(initial, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value), 2));
  const [error, setError] = useState<string | null>(null);
  const save = useMutation(trpc.catalog.planVersion.updateDraft.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <form
      className="flex flex-col gap-2"
      aria-label="Draft terms as JSON"
      onSubmit={(event) => {
        event.preventDefault();
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (caught) {
          setError(`The terms are not valid JSON: ${caught instanceof Error ? caught.message : "check the brackets and quotes"}.`);
          return;
        }
        setError(null);
        save.mutate(
          { planVersionId, terms: parsed as Partial<PlanVersionTermsInput> },
          { onSuccess: () => toast.success("Draft saved."), onError: (failure) => setError(describeError(failure)) },
        );
      }}
    >
      <Label htmlFor="plan-version-terms">Terms (JSON)</Label>
      <Textarea id="plan-version-terms" rows={18} className="font-mono text-xs" value={text} onChange={(event) => setText(event.target.value)} />
      {error ? <Alert variant="destructive">{error}</Alert> : null}
      <div className="flex gap-2">
        <Button type="submit" variant="outline" disabled={save.isPending}>
          Save draft
        </Button>
        <Button type="button" variant="ghost" onClick={onBack}>
          Back to the form (reload to see saved changes)
        </Button>
      </div>
    </form>
  );
}
