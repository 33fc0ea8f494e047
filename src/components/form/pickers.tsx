"use client";

import { useQuery } from "@tanstack/react-query";
import { Check, ChevronsUpDown, X } from "lucide-react";
import { useEffect, useState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Command, CommandEmpty, CommandInput, CommandItem, CommandList } from "@/components/ui/command";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { cn } from "@/lib/utils";
import { useTRPC } from "@/trpc/react";

export type PickerOption = { value: string; label: string; detail?: string };

/** What a picker needs from a source: options matching `search` (asked of the server as the person types). */
export type OptionSource = (search: string) => { options: PickerOption[]; loading: boolean };

function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

type ControlProps = {
  id?: string;
  placeholder?: string;
  disabled?: boolean;
  onBlur?: () => void;
  "aria-invalid"?: boolean;
  "aria-describedby"?: string;
  className?: string;
};

type SearchPickerProps = ControlProps & {
  source: OptionSource;
  value: string | null | undefined;
  onChange: (value: string | null, option: PickerOption | null) => void;
  /** Shown for the current value until the source has returned it. */
  valueLabel?: string;
  /** What to call the things picked ("plan", "customer") in empty states. */
  noun: string;
};

/**
 * One choice from a list searched on the server as the person types (cmdk in a popover):
 * keyboard first (type, arrows, Enter), never a typed key that may not exist.
 */
export function SearchPicker({ source, value, onChange, valueLabel, noun, placeholder, disabled, onBlur, className, ...control }: SearchPickerProps) {
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState("");
  const { options, loading } = source(useDebounced(search, 150));
  const [picked, setPicked] = useState<PickerOption | null>(null);
  const current = value ? (picked?.value === value ? picked : (options.find((option) => option.value === value) ?? null)) : null;
  const label = current?.label ?? (value ? (valueLabel ?? value) : null);
  return (
    <Popover
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) onBlur?.();
      }}
    >
      <PopoverTrigger asChild>
        <Button type="button" variant="outline" role="combobox" aria-expanded={open} disabled={disabled} className={cn("w-64 justify-between font-normal", className)} {...control}>
          <span className={cn("truncate", label ? "" : "text-muted-foreground")}>{label ?? placeholder ?? `Choose a ${noun}`}</span>
          <ChevronsUpDown aria-hidden className="opacity-50" />
        </Button>
      </PopoverTrigger>
      <PopoverContent className="w-72">
        <OptionList
          noun={noun}
          search={search}
          setSearch={setSearch}
          options={options}
          loading={loading}
          isSelected={(option) => option.value === value}
          onPick={(option) => {
            setPicked(option);
            onChange(option.value, option);
            setOpen(false);
          }}
        />
      </PopoverContent>
    </Popover>
  );
}

type MultiPickerProps = ControlProps & {
  source: OptionSource;
  value: string[] | null | undefined;
  onChange: (value: string[]) => void;
  noun: string;
  /** Labels for values already chosen (e.g. from the page's data), by value. */
  valueLabels?: Record<string, string>;
};

/** Several choices from a searched list, shown as removable chips. */
export function SearchMultiPicker({ source, value, onChange, noun, placeholder, disabled, onBlur, className, valueLabels = {}, ...control }: MultiPickerProps) {
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState("");
  const { options, loading } = source(useDebounced(search, 150));
  const [known, setKnown] = useState<Record<string, string>>(valueLabels);
  const chosen = value ?? [];
  const labelOf = (item: string) => known[item] ?? options.find((option) => option.value === item)?.label ?? item;
  return (
    <div className={cn("flex flex-col gap-2", className)}>
      {chosen.length > 0 ? (
        <ul className="flex flex-wrap gap-1.5" aria-label={`Chosen ${noun}s`}>
          {chosen.map((item) => (
            <li key={item} className="inline-flex items-center gap-1 rounded-md border bg-secondary px-2 py-0.5 text-xs">
              {labelOf(item)}
              <button
                type="button"
                className="rounded-sm text-muted-foreground hover:text-foreground focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
                aria-label={`Remove ${labelOf(item)}`}
                disabled={disabled}
                onClick={() => onChange(chosen.filter((other) => other !== item))}
              >
                <X aria-hidden className="size-3" />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <Popover
        open={open}
        onOpenChange={(next) => {
          setOpen(next);
          if (!next) onBlur?.();
        }}
      >
        <PopoverTrigger asChild>
          <Button type="button" variant="outline" role="combobox" aria-expanded={open} disabled={disabled} className="w-64 justify-between font-normal" {...control}>
            <span className="truncate text-muted-foreground">{placeholder ?? `Add a ${noun}`}</span>
            <ChevronsUpDown aria-hidden className="opacity-50" />
          </Button>
        </PopoverTrigger>
        <PopoverContent className="w-72">
          <OptionList
            noun={noun}
            search={search}
            setSearch={setSearch}
            options={options}
            loading={loading}
            isSelected={(option) => chosen.includes(option.value)}
            onPick={(option) => {
              setKnown({ ...known, [option.value]: option.label });
              onChange(chosen.includes(option.value) ? chosen.filter((item) => item !== option.value) : [...chosen, option.value]);
            }}
          />
        </PopoverContent>
      </Popover>
    </div>
  );
}

function OptionList(props: {
  noun: string;
  search: string;
  setSearch: (search: string) => void;
  options: PickerOption[];
  loading: boolean;
  isSelected: (option: PickerOption) => boolean;
  onPick: (option: PickerOption) => void;
}): ReactNode {
  return (
    // The server filters; cmdk only handles the keyboard.
    <Command shouldFilter={false}>
      <CommandInput value={props.search} onValueChange={props.setSearch} placeholder={`Search ${props.noun}s…`} aria-label={`Search ${props.noun}s`} />
      <CommandList>
        {props.loading && props.options.length === 0 ? <div className="px-2 py-4 text-center text-sm text-muted-foreground">Searching…</div> : null}
        {!props.loading ? <CommandEmpty>No {props.noun} matches “{props.search}”.</CommandEmpty> : null}
        {props.options.map((option) => (
          <CommandItem key={option.value} value={option.value} onSelect={() => props.onPick(option)} data-testid={`picker-option-${option.value}`}>
            <Check aria-hidden className={cn("size-4", props.isSelected(option) ? "opacity-100" : "opacity-0")} />
            <span className="flex min-w-0 flex-col">
              <span className="truncate">{option.label}</span>
              {option.detail ? <span className="truncate text-xs text-muted-foreground">{option.detail}</span> : null}
            </span>
          </CommandItem>
        ))}
      </CommandList>
    </Command>
  );
}

// Sources: each asks the server, so pickers work the same with ten rows or a million.

export function useCustomerOptions(search: string) {
  const trpc = useTRPC();
  const query = useQuery(trpc.customer.list.queryOptions({ search: search || undefined, limit: 20 }, { placeholderData: (previous) => previous }));
  return {
    options: (query.data?.items ?? []).map((customer) => ({ value: customer.id, label: customer.name, detail: `${customer.email} · ${customer.externalId}` })),
    loading: query.isFetching,
  };
}

/** Plans by key (what terms and promotions store); `by: "id"` for the plan's id. */
export function planOptionsSource(by: "key" | "id"): OptionSource {
  return function usePlanOptions(search: string) {
    const trpc = useTRPC();
    const query = useQuery(trpc.catalog.plan.list.queryOptions({ search: search || undefined, limit: 50 }, { placeholderData: (previous) => previous }));
    return {
      options: (query.data?.plans ?? []).map((plan) => ({ value: by === "key" ? plan.key : plan.id, label: plan.name, detail: plan.key })),
      loading: query.isFetching,
    };
  };
}
export const usePlanKeyOptions = planOptionsSource("key");

export function useMeterOptions(search: string) {
  const trpc = useTRPC();
  const query = useQuery(trpc.catalog.meter.list.queryOptions({ search: search || undefined }, { placeholderData: (previous) => previous }));
  return {
    options: (query.data ?? []).map((meter) => ({ value: meter.key, label: meter.name, detail: `${meter.key} · ${meter.aggregation} of ${meter.eventType}` })),
    loading: query.isFetching,
  };
}

export function useFeatureOptions(search: string) {
  const trpc = useTRPC();
  const query = useQuery(trpc.catalog.feature.list.queryOptions({ search: search || undefined }, { placeholderData: (previous) => previous }));
  return {
    options: (query.data ?? []).map((feature) => ({ value: feature.key, label: feature.name, detail: `${feature.key} · ${feature.kind}` })),
    loading: query.isFetching,
  };
}

type SpecificPickerProps = ControlProps & { value: string | null | undefined; onChange: (value: string | null, option: PickerOption | null) => void; valueLabel?: string };

export const CustomerPicker = (props: SpecificPickerProps) => <SearchPicker {...props} source={useCustomerOptions} noun="customer" />;
export const PlanPicker = (props: SpecificPickerProps) => <SearchPicker {...props} source={usePlanKeyOptions} noun="plan" />;
export const MeterPicker = (props: SpecificPickerProps) => <SearchPicker {...props} source={useMeterOptions} noun="meter" />;
export const FeaturePicker = (props: SpecificPickerProps) => <SearchPicker {...props} source={useFeatureOptions} noun="feature" />;
export const PlansPicker = (props: Omit<MultiPickerProps, "source" | "noun">) => <SearchMultiPicker {...props} source={usePlanKeyOptions} noun="plan" />;
