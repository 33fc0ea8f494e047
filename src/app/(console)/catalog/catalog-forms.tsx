"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent, type ReactNode } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import type { FeatureKind, MeterAggregation } from "@/db/schema/catalog";
import type { CreateMeterInput } from "@/server/catalog/create-meter";
import { useTRPC } from "@/trpc/react";

type ProductOption = { id: string; key: string; name: string };

/** "a, b.c" → ["a", "b.c"] */
function list(text: string): string[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
}

function Field({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <Label htmlFor={id}>{label}</Label>
      {children}
    </div>
  );
}

/** The key and name every catalog object starts with. */
function KeyNameFields({ prefix, value, onChange }: { prefix: string; value: { key: string; name: string }; onChange: (patch: { key?: string; name?: string }) => void }) {
  return (
    <>
      <Field id={`${prefix}-key`} label="Key">
        <Input id={`${prefix}-key`} required value={value.key} onChange={(event) => onChange({ key: event.target.value })} className="w-36 font-mono" />
      </Field>
      <Field id={`${prefix}-name`} label="Name">
        <Input id={`${prefix}-name`} required value={value.name} onChange={(event) => onChange({ name: event.target.value })} className="w-40" />
      </Field>
    </>
  );
}

function ProductSelect({ id, products, value, onChange }: { id: string; products: ProductOption[]; value: string; onChange: (value: string) => void }) {
  return (
    <NativeSelect id={id} value={value} onChange={(event) => onChange(event.target.value)} className="w-44">
      <option value="">(none)</option>
      {products.map((product) => (
        <option key={product.id} value={product.id}>
          {product.name}
        </option>
      ))}
    </NativeSelect>
  );
}

/**
 * A meter: which events it reads, how it aggregates which property, with optional filters (JSON,
 * e.g. [{"property":"kind","operator":"not_equals","value":"cached"}]) and group-by properties.
 * Events already stored are counted too: the rollup backfills a new meter from them.
 */
export function NewMeterForm({ products, aggregations }: { products: ProductOption[]; aggregations: readonly MeterAggregation[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const empty = { key: "", name: "", eventType: "", aggregation: "count", valuePath: "", groupBy: "", filters: "[]", productId: "", unit: "unit" };
  const [form, setForm] = useState(empty);
  const [formError, setFormError] = useState<string | null>(null);
  const create = useMutation(
    trpc.catalog.meter.create.mutationOptions({
      onSuccess: () => {
        setForm(empty);
        router.refresh();
      },
    }),
  );
  const set = (field: keyof typeof empty) => (value: string) => setForm({ ...form, [field]: value });

  function submit(event: FormEvent) {
    event.preventDefault();
    let filters: unknown;
    try {
      filters = JSON.parse(form.filters || "[]");
    } catch {
      setFormError('Filters are a JSON list, e.g. [{"property":"kind","operator":"equals","value":"fresh"}].');
      return;
    }
    setFormError(null);
    create.mutate({
      key: form.key.trim(),
      name: form.name.trim(),
      eventType: form.eventType.trim(),
      aggregation: form.aggregation as MeterAggregation,
      valuePath: form.valuePath.trim() === "" ? null : form.valuePath.trim(),
      groupBy: list(form.groupBy),
      filters: filters as CreateMeterInput["filters"],
      productId: form.productId === "" ? null : form.productId,
      unit: form.unit.trim() || "unit",
    });
  }

  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-3" aria-label="New meter">
      <KeyNameFields prefix="meter" value={form} onChange={(patch) => setForm({ ...form, ...patch })} />
      <Field id="meter-event-type" label="Event type">
        <Input id="meter-event-type" required placeholder="agent.llm.completion" value={form.eventType} onChange={(event) => set("eventType")(event.target.value)} className="w-48 font-mono" />
      </Field>
      <Field id="meter-aggregation" label="Aggregation">
        <NativeSelect id="meter-aggregation" value={form.aggregation} onChange={(event) => set("aggregation")(event.target.value)} className="w-36">
          {aggregations.map((aggregation) => (
            <option key={aggregation} value={aggregation}>
              {aggregation}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <Field id="meter-property" label="Property (data.…)">
        <Input id="meter-property" placeholder="tokens" value={form.valuePath} onChange={(event) => set("valuePath")(event.target.value)} className="w-36 font-mono" />
      </Field>
      <Field id="meter-group-by" label="Group by">
        <Input id="meter-group-by" placeholder="model" value={form.groupBy} onChange={(event) => set("groupBy")(event.target.value)} className="w-32 font-mono" />
      </Field>
      <Field id="meter-filters" label="Filters (JSON)">
        <Input id="meter-filters" value={form.filters} onChange={(event) => set("filters")(event.target.value)} className="w-56 font-mono" />
      </Field>
      <Field id="meter-product" label="Product">
        <ProductSelect id="meter-product" products={products} value={form.productId} onChange={set("productId")} />
      </Field>
      <Button type="submit" disabled={create.isPending}>
        New meter
      </Button>
      {formError ?? create.error ? <Alert variant="destructive">{formError ?? describeError(create.error)}</Alert> : null}
    </form>
  );
}

export function NewFeatureForm({ products, kinds }: { products: ProductOption[]; kinds: readonly FeatureKind[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const empty = { key: "", name: "", kind: "boolean", productId: "" };
  const [form, setForm] = useState(empty);
  const create = useMutation(
    trpc.catalog.feature.create.mutationOptions({
      onSuccess: () => {
        setForm(empty);
        router.refresh();
      },
    }),
  );
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate({ key: form.key.trim(), name: form.name.trim(), kind: form.kind as FeatureKind, productId: form.productId === "" ? null : form.productId, description: "" });
      }}
      className="flex flex-wrap items-end gap-3"
      aria-label="New feature"
    >
      <KeyNameFields prefix="feature" value={form} onChange={(patch) => setForm({ ...form, ...patch })} />
      <Field id="feature-kind" label="Kind">
        <NativeSelect id="feature-kind" value={form.kind} onChange={(event) => setForm({ ...form, kind: event.target.value })} className="w-28">
          {kinds.map((kind) => (
            <option key={kind} value={kind}>
              {kind}
            </option>
          ))}
        </NativeSelect>
      </Field>
      <Field id="feature-product" label="Product">
        <ProductSelect id="feature-product" products={products} value={form.productId} onChange={(productId) => setForm({ ...form, productId })} />
      </Field>
      <Button type="submit" disabled={create.isPending}>
        New feature
      </Button>
      {create.error ? <Alert variant="destructive">{describeError(create.error)}</Alert> : null}
    </form>
  );
}

export function NewProductForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [form, setForm] = useState({ key: "", name: "" });
  const create = useMutation(
    trpc.catalog.product.create.mutationOptions({
      onSuccess: () => {
        setForm({ key: "", name: "" });
        router.refresh();
      },
    }),
  );
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate({ key: form.key.trim(), name: form.name.trim(), description: "" });
      }}
      className="flex flex-wrap items-end gap-3"
      aria-label="New product"
    >
      <KeyNameFields prefix="product" value={form} onChange={(patch) => setForm({ ...form, ...patch })} />
      <Button type="submit" disabled={create.isPending}>
        New product
      </Button>
      {create.error ? <Alert variant="destructive">{describeError(create.error)}</Alert> : null}
    </form>
  );
}
