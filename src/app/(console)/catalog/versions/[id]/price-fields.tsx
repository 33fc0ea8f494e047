"use client";

import { Plus, Trash2 } from "lucide-react";
import { useId } from "react";
import { get, useFieldArray, useWatch, type Path, type UseFormReturn } from "react-hook-form";
import { MoneyInput } from "@/components/form/money-input";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { describeIssue } from "@/lib/form-errors";
import type { PlanVersionTermsInput } from "@/server/catalog/catalog-schemas";
import type { PriceInput, PriceModelName } from "@/server/pricing";

export type TermsForm = UseFormReturn<PlanVersionTermsInput, unknown, unknown>;

export const modelLabels: Record<PriceModelName, string> = {
  per_unit: "Per unit",
  graduated: "Graduated tiers",
  volume: "Volume tiers",
  package: "Package",
};

const modelHelp: Record<PriceModelName, string> = {
  per_unit: "Every billable unit costs the same.",
  graduated: "Each tier's price applies to the units inside that tier (like tax brackets).",
  volume: "The tier the total reaches sets the price of every unit.",
  package: "Units are sold in packages; a started package is charged in full.",
};

/** A fresh price of a model, keeping the included quantity. */
export function emptyPrice(model: PriceModelName, includedQuantity = "0"): PriceInput {
  switch (model) {
    case "per_unit":
      return { model, unitPrice: "0.001", includedQuantity };
    case "graduated":
    case "volume":
      return { model, includedQuantity, tiers: [{ upTo: "1000000", unitPrice: "0.00001" }, { upTo: null, unitPrice: "0.000008" }] };
    case "package":
      return { model, packageSize: "1000", packagePrice: "1", includedQuantity };
  }
}

/** The error under a field, in words (the form's resolver already wrote it; a server issue is described here). */
export function FieldError({ form, name, id }: { form: TermsForm; name: string; id?: string }) {
  const error = get(form.formState.errors, name) as { message?: string; type?: string } | undefined;
  if (!error?.message) return null;
  return (
    <p id={id} className="text-xs font-medium text-destructive" data-testid={`field-error-${name}`}>
      {error.type === "server" ? error.message : describeIssue({ message: error.message })}
    </p>
  );
}

/** A text field registered on the terms form, with its label and error. */
export function TextField({ form, name, label, className, placeholder, inputClassName }: { form: TermsForm; name: string; label: string; className?: string; placeholder?: string; inputClassName?: string }) {
  const id = useId();
  const invalid = get(form.formState.errors, name) !== undefined;
  return (
    <div className={`flex flex-col gap-1.5 ${className ?? ""}`}>
      <Label htmlFor={id}>{label}</Label>
      <Input id={id} placeholder={placeholder} aria-invalid={invalid} aria-describedby={invalid ? `${id}-error` : undefined} className={inputClassName} {...form.register(name as Path<PlanVersionTermsInput>)} />
      <FieldError form={form} name={name} id={`${id}-error`} />
    </div>
  );
}

function TierRows({ form, name, currency }: { form: TermsForm; name: string; currency: string }) {
  const tiers = useFieldArray({ control: form.control, name: `${name}.tiers` as never });
  const values = (useWatch({ control: form.control, name: `${name}.tiers` as never }) ?? []) as { upTo: string | null; flatAmountMicros?: string }[];
  return (
    <fieldset className="flex flex-col gap-2">
      <legend className="mb-1 text-sm font-medium">Tiers</legend>
      <div className="overflow-x-auto">
        <table className="w-full min-w-[36rem] text-sm">
          <thead>
            <tr className="text-left text-xs text-muted-foreground">
              <th className="pb-1 font-medium">Tier</th>
              <th className="pb-1 font-medium">From</th>
              <th className="pb-1 font-medium">Up to (units)</th>
              <th className="pb-1 font-medium">Price per unit ({currency.toUpperCase()})</th>
              <th className="pb-1 font-medium">Flat fee</th>
              <th className="pb-1" />
            </tr>
          </thead>
          <tbody>
            {tiers.fields.map((tier, index) => {
              const last = index === tiers.fields.length - 1;
              const from = index === 0 ? "0" : (values[index - 1]?.upTo ?? "…");
              const base = `${name}.tiers.${index}`;
              return (
                <tr key={tier.id} className="align-top" data-testid={`tier-${index + 1}`}>
                  <td className="py-1 pr-2">{index + 1}</td>
                  <td className="py-1 pr-2 text-muted-foreground">{from}</td>
                  <td className="py-1 pr-2">
                    {last ? (
                      <span className="inline-flex h-9 items-center text-muted-foreground">and above</span>
                    ) : (
                      <>
                        <Input aria-label={`Tier ${index + 1} up to`} className="w-32" {...form.register(`${base}.upTo` as Path<PlanVersionTermsInput>)} />
                        <FieldError form={form} name={`${base}.upTo`} />
                      </>
                    )}
                  </td>
                  <td className="py-1 pr-2">
                    <Input aria-label={`Tier ${index + 1} price per unit`} className="w-36 font-mono" {...form.register(`${base}.unitPrice` as Path<PlanVersionTermsInput>)} />
                    <FieldError form={form} name={`${base}.unitPrice`} />
                  </td>
                  <td className="py-1 pr-2">
                    <MoneyInput
                      aria-label={`Tier ${index + 1} flat fee`}
                      className="w-28"
                      optional
                      value={values[index]?.flatAmountMicros ?? null}
                      onChange={(micros) => form.setValue(`${base}.flatAmountMicros` as Path<PlanVersionTermsInput>, (micros ?? undefined) as never, { shouldDirty: true })}
                      onProblem={(message) =>
                        message ? form.setError(`${base}.flatAmountMicros` as Path<PlanVersionTermsInput>, { type: "server", message }) : form.clearErrors(`${base}.flatAmountMicros` as Path<PlanVersionTermsInput>)
                      }
                    />
                    <FieldError form={form} name={`${base}.flatAmountMicros`} />
                  </td>
                  <td className="py-1">
                    <Button type="button" variant="ghost" size="icon" aria-label={`Remove tier ${index + 1}`} disabled={tiers.fields.length <= 1} onClick={() => {
                      tiers.remove(index);
                      // The new last tier is open-ended.
                      if (last && index > 0) form.setValue(`${name}.tiers.${index - 1}.upTo` as Path<PlanVersionTermsInput>, null as never);
                    }}>
                      <Trash2 aria-hidden />
                    </Button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div>
        <Button
          type="button"
          variant="outline"
          size="sm"
          onClick={() => {
            // The open last tier gets a bound (twice the previous one, or 1,000) and a new open tier follows.
            const count = tiers.fields.length;
            const previous = count >= 2 ? values[count - 2]?.upTo : null;
            const bound = previous && /^\d+$/.test(previous) ? (BigInt(previous) * 2n).toString() : "1000";
            form.setValue(`${name}.tiers.${count - 1}.upTo` as Path<PlanVersionTermsInput>, bound as never);
            tiers.append({ upTo: null, unitPrice: "0" } as never);
          }}
        >
          <Plus aria-hidden /> Add tier
        </Button>
      </div>
      <FieldError form={form} name={`${name}.tiers`} />
    </fieldset>
  );
}

/** The fields of one price model (no overrides): the model, the included quantity and the model's own fields. */
export function PriceModelFields({ form, name, currency }: { form: TermsForm; name: string; currency: string }) {
  const id = useId();
  const price = useWatch({ control: form.control, name: name as never }) as PriceInput | undefined;
  const model = (price?.model ?? "per_unit") as PriceModelName;
  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-start gap-3">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-model`}>Pricing model</Label>
          <NativeSelect
            id={`${id}-model`}
            className="w-48"
            value={model}
            onChange={(event) => {
              const next = emptyPrice(event.target.value as PriceModelName, price?.includedQuantity ?? "0");
              const overrides = (price as { dimensionOverrides?: unknown } | undefined)?.dimensionOverrides;
              form.setValue(name as Path<PlanVersionTermsInput>, (overrides ? { ...next, dimensionOverrides: overrides } : next) as never, { shouldDirty: true });
            }}
          >
            {Object.entries(modelLabels).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </NativeSelect>
          <p className="max-w-56 text-xs text-muted-foreground">{modelHelp[model]}</p>
        </div>
        <TextField form={form} name={`${name}.includedQuantity`} label="Included quantity" inputClassName="w-36" />
        {model === "per_unit" ? <TextField form={form} name={`${name}.unitPrice`} label={`Price per unit (${currency.toUpperCase()})`} inputClassName="w-40 font-mono" /> : null}
        {model === "package" ? (
          <>
            <TextField form={form} name={`${name}.packageSize`} label="Units per package" inputClassName="w-32" />
            <TextField form={form} name={`${name}.packagePrice`} label={`Price per package (${currency.toUpperCase()})`} inputClassName="w-36 font-mono" />
          </>
        ) : null}
      </div>
      {model === "graduated" || model === "volume" ? <TierRows key={`${name}:${model}`} form={form} name={name} currency={currency} /> : null}
    </div>
  );
}

/** Per-dimension prices (e.g. a different price per `model` value) under the default price. */
export function OverrideFields({ form, name, currency, dimensions }: { form: TermsForm; name: string; currency: string; dimensions: string[] }) {
  const id = useId();
  const overrides = useWatch({ control: form.control, name: `${name}.dimensionOverrides` as never }) as { dimension: string; prices: { value: string }[] } | undefined;
  if (dimensions.length === 0) {
    return <p className="text-xs text-muted-foreground">This meter has no group-by dimensions, so it has one price for all usage.</p>;
  }
  if (!overrides) {
    return (
      <div>
        <Button
          type="button"
          variant="outline"
          size="sm"
          onClick={() => form.setValue(`${name}.dimensionOverrides` as Path<PlanVersionTermsInput>, { dimension: dimensions[0]!, prices: [] } as never, { shouldDirty: true })}
        >
          <Plus aria-hidden /> Price by {dimensions.join(" or ")}
        </Button>
      </div>
    );
  }
  return <OverrideList form={form} name={name} currency={currency} dimensions={dimensions} dimension={overrides.dimension} id={id} />;
}

// Mounted only while overrides exist: a field array registers its path, which would leave a half-made override behind.
function OverrideList({ form, name, currency, dimensions, dimension, id }: { form: TermsForm; name: string; currency: string; dimensions: string[]; dimension: string; id: string }) {
  const list = useFieldArray({ control: form.control, name: `${name}.dimensionOverrides.prices` as never });
  const overrides = { dimension };
  return (
    <fieldset className="flex flex-col gap-3 rounded-md border p-3">
      <legend className="px-1 text-sm font-medium">Prices by dimension</legend>
      <div className="flex flex-wrap items-end gap-3">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-dimension`}>Dimension</Label>
          <NativeSelect id={`${id}-dimension`} className="w-40" {...form.register(`${name}.dimensionOverrides.dimension` as Path<PlanVersionTermsInput>)}>
            {dimensions.map((dimension) => (
              <option key={dimension} value={dimension}>
                {dimension}
              </option>
            ))}
          </NativeSelect>
        </div>
        <Button type="button" variant="ghost" size="sm" onClick={() => form.setValue(`${name}.dimensionOverrides` as Path<PlanVersionTermsInput>, undefined as never, { shouldDirty: true })}>
          Remove all prices by dimension
        </Button>
      </div>
      {list.fields.map((field, index) => (
        <div key={field.id} className="flex flex-col gap-3 border-t pt-3" data-testid={`override-${index}`}>
          <div className="flex flex-wrap items-end gap-3">
            <TextField form={form} name={`${name}.dimensionOverrides.prices.${index}.value`} label={`When ${overrides.dimension} is`} inputClassName="w-40 font-mono" />
            <Button type="button" variant="ghost" size="sm" onClick={() => list.remove(index)}>
              <Trash2 aria-hidden /> Remove
            </Button>
          </div>
          <PriceModelFields form={form} name={`${name}.dimensionOverrides.prices.${index}.price`} currency={currency} />
        </div>
      ))}
      <div>
        <Button type="button" variant="outline" size="sm" onClick={() => list.append({ value: "", price: emptyPrice("per_unit") } as never)}>
          <Plus aria-hidden /> Add a price for one {overrides.dimension}
        </Button>
      </div>
    </fieldset>
  );
}
