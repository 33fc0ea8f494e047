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

type FilterOperator = "equals" | "not_equals" | "in" | "not_in";
type FilterRow = { property: string; operator: FilterOperator; value: string };

const filterOperators: { value: FilterOperator; label: string }[] = [
  { value: "equals", label: "equals" },
  { value: "not_equals", label: "does not equal" },
  { value: "in", label: "is one of" },
  { value: "not_in", label: "is none of" },
];

/** A filter row as the server takes it: one value, or a list for "is one of" / "is none of" (comma-separated in the form). */
function toMeterFilter(row: FilterRow): NonNullable<CreateMeterInput["filters"]>[number] {
  const property = row.property.trim();
  if (row.operator === "in" || row.operator === "not_in") return { property, operator: row.operator, values: list(row.value) };
  return { property, operator: row.operator, value: row.value.trim() };
}

const maxFilters = 20;
const maxGroupBy = 5;

/**
 * A meter: which events it reads, how it aggregates which property, which events it keeps (filters,
 * each a property, a comparison and a value) and the dimensions it breaks usage down by (group-by).
 * Events already stored are counted too: the rollup backfills a new meter from them.
 */
export function NewMeterForm({ products, aggregations }: { products: ProductOption[]; aggregations: readonly MeterAggregation[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const empty = { key: "", name: "", eventType: "", aggregation: "count", valuePath: "", productId: "", unit: "unit" };
  const [form, setForm] = useState(empty);
  const [filters, setFilters] = useState<FilterRow[]>([]);
  const [groupBy, setGroupBy] = useState<string[]>([]);
  const create = useMutation(
    trpc.catalog.meter.create.mutationOptions({
      onSuccess: () => {
        setForm(empty);
        setFilters([]);
        setGroupBy([]);
        router.refresh();
      },
    }),
  );
  const set = (field: keyof typeof empty) => (value: string) => setForm({ ...form, [field]: value });
  const setFilter = (index: number, patch: Partial<FilterRow>) => setFilters(filters.map((row, at) => (at === index ? { ...row, ...patch } : row)));
  // Server issues name fields by path (filters.0.property); say which row in words.
  const labels: Record<string, string> = {
    key: "Key",
    name: "Name",
    eventType: "Event type",
    valuePath: "Property",
    groupBy: "Group by",
    ...Object.fromEntries(filters.flatMap((_, index) => [
      [`filters.${index}.property`, `Filter ${index + 1} property`],
      [`filters.${index}.value`, `Filter ${index + 1} value`],
      [`filters.${index}.values`, `Filter ${index + 1} values`],
    ])),
    ...Object.fromEntries(groupBy.map((_, index) => [`groupBy.${index}`, `Group-by dimension ${index + 1}`])),
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({
      key: form.key.trim(),
      name: form.name.trim(),
      eventType: form.eventType.trim(),
      aggregation: form.aggregation as MeterAggregation,
      valuePath: form.valuePath.trim() === "" ? null : form.valuePath.trim(),
      groupBy: groupBy.map((each) => each.trim()).filter((each) => each !== ""),
      filters: filters.filter((row) => row.property.trim() !== "" || row.value.trim() !== "").map(toMeterFilter),
      productId: form.productId === "" ? null : form.productId,
      unit: form.unit.trim() || "unit",
    });
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-4" aria-label="New meter">
      <div className="flex flex-wrap items-end gap-3">
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
        <Field id="meter-product" label="Product">
          <ProductSelect id="meter-product" products={products} value={form.productId} onChange={set("productId")} />
        </Field>
      </div>
      <fieldset className="flex flex-col gap-2" data-testid="meter-filters">
        <legend className="text-sm font-medium">Filters</legend>
        <p className="text-xs text-muted-foreground">Only events that pass every filter are counted. No filter: every event of the type.</p>
        {filters.map((row, index) => (
          <div key={index} className="flex flex-wrap items-end gap-2" data-testid={`meter-filter-${index}`}>
            <Field id={`meter-filter-${index}-property`} label={`Filter ${index + 1} property`}>
              <Input id={`meter-filter-${index}-property`} placeholder="kind" value={row.property} onChange={(event) => setFilter(index, { property: event.target.value })} className="w-36 font-mono" />
            </Field>
            <Field id={`meter-filter-${index}-operator`} label={`Filter ${index + 1} comparison`}>
              <NativeSelect id={`meter-filter-${index}-operator`} value={row.operator} onChange={(event) => setFilter(index, { operator: event.target.value as FilterOperator })} className="w-40">
                {filterOperators.map((operator) => (
                  <option key={operator.value} value={operator.value}>
                    {operator.label}
                  </option>
                ))}
              </NativeSelect>
            </Field>
            <Field id={`meter-filter-${index}-value`} label={row.operator === "in" || row.operator === "not_in" ? `Filter ${index + 1} values (comma-separated)` : `Filter ${index + 1} value`}>
              <Input id={`meter-filter-${index}-value`} placeholder={row.operator === "in" || row.operator === "not_in" ? "fresh, cached" : "fresh"} value={row.value} onChange={(event) => setFilter(index, { value: event.target.value })} className="w-44" />
            </Field>
            <Button type="button" variant="ghost" size="sm" onClick={() => setFilters(filters.filter((_, at) => at !== index))}>
              Remove filter {index + 1}
            </Button>
          </div>
        ))}
        <div>
          <Button type="button" variant="outline" size="sm" disabled={filters.length >= maxFilters} onClick={() => setFilters([...filters, { property: "", operator: "equals", value: "" }])}>
            Add a filter
          </Button>
        </div>
      </fieldset>
      <fieldset className="flex flex-col gap-2" data-testid="meter-group-by">
        <legend className="text-sm font-medium">Group by</legend>
        <p className="text-xs text-muted-foreground">Properties usage is broken down by (for example model); at most {maxGroupBy}.</p>
        {groupBy.map((value, index) => (
          <div key={index} className="flex flex-wrap items-end gap-2">
            <Field id={`meter-group-by-${index}`} label={`Group-by dimension ${index + 1}`}>
              <Input id={`meter-group-by-${index}`} placeholder="model" value={value} onChange={(event) => setGroupBy(groupBy.map((each, at) => (at === index ? event.target.value : each)))} className="w-36 font-mono" />
            </Field>
            <Button type="button" variant="ghost" size="sm" onClick={() => setGroupBy(groupBy.filter((_, at) => at !== index))}>
              Remove dimension {index + 1}
            </Button>
          </div>
        ))}
        <div>
          <Button type="button" variant="outline" size="sm" disabled={groupBy.length >= maxGroupBy} onClick={() => setGroupBy([...groupBy, ""])}>
            Add a dimension
          </Button>
        </div>
      </fieldset>
      <div>
        <Button type="submit" disabled={create.isPending}>
          New meter
        </Button>
      </div>
      {create.error ? <Alert variant="destructive">{describeError(create.error, labels)}</Alert> : null}
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
