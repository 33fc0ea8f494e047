"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { DateField, MonthField } from "@/components/form/date-field";
import { dayFromText } from "@/components/form/date-picker";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";

export type ReportField =
  | { name: string; label: string; type: "date" | "month" | "text"; required?: boolean; placeholder?: string }
  | { name: string; label: string; type: "select"; options: Array<{ value: string; label: string }> }
  | { name: string; label: string; type: "checkbox" };

/** Days a report may cover (the server checks the same). */
const rangeDaysMax = 731;

function validate(fields: ReportField[], values: Record<string, string>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const value = values[field.name] ?? "";
    if (field.type === "date" || field.type === "month" || field.type === "text") {
      if (field.required !== false && value.trim() === "") errors[field.name] = `${field.label} is required.`;
      else if (field.type === "date" && value !== "" && !dayFromText(value)) errors[field.name] = `${field.label}: give a date such as 2026-03-01, or pick one on the calendar.`;
      else if (field.type === "month" && value !== "" && !/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) errors[field.name] = `${field.label}: give a month such as 2026-03, or pick one.`;
    }
  }
  const from = values.from;
  const to = values.to;
  if (from && to && !errors.from && !errors.to) {
    if (to < from) errors.to = "To is before From: put the earlier date first.";
    else if (/^\d{4}-\d{2}-\d{2}$/.test(from)) {
      const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
      if (days > rangeDaysMax) errors.to = `The range covers ${days} days; a report covers at most ${rangeDaysMax}.`;
    }
  }
  return errors;
}

/**
 * The report's inputs: dates and months typed or picked on a calendar (the shared DateField and
 * MonthField, UTC), checked before the page asks the server (which checks again).
 */
export function ReportForm({ path, fields, initial, serverError }: { path: string; fields: ReportField[]; initial: Record<string, string>; serverError?: { field?: string; message: string } }) {
  const router = useRouter();
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<Record<string, string>>(serverError?.field ? { [serverError.field]: serverError.message } : {});
  function submit(event: FormEvent) {
    event.preventDefault();
    const found = validate(fields, values);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const params = new URLSearchParams(Object.entries(values).filter(([, value]) => value !== ""));
    router.push(`${path}?${params}`);
  }
  return (
    <form onSubmit={submit} noValidate className="flex flex-wrap items-end gap-3" aria-label="Report options">
      {fields.map((field) => {
        const id = `report-${field.name}`;
        const error = errors[field.name];
        if (field.type === "checkbox") {
          return (
            <label key={field.name} className="flex items-center gap-2 pb-2 text-sm">
              <input type="checkbox" id={id} checked={values[field.name] !== "false"} onChange={(event) => setValues({ ...values, [field.name]: event.target.checked ? "true" : "false" })} />
              {field.label}
            </label>
          );
        }
        const Picker = field.type === "month" ? MonthField : DateField;
        return (
          <div key={field.name} className="flex flex-col gap-1.5">
            <Label htmlFor={id}>{field.label}</Label>
            {field.type === "select" ? (
              <NativeSelect id={id} value={values[field.name] ?? ""} onChange={(event) => setValues({ ...values, [field.name]: event.target.value })} className="w-44">
                {field.options.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </NativeSelect>
            ) : field.type === "text" ? (
              <Input
                id={id}
                type="text"
                value={values[field.name] ?? ""}
                placeholder={field.placeholder}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? `${id}-error` : undefined}
                onChange={(event) => setValues({ ...values, [field.name]: event.target.value })}
                className="w-44"
              />
            ) : (
              <Picker
                id={id}
                value={values[field.name] ?? ""}
                placeholder={field.placeholder}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? `${id}-error` : undefined}
                onChange={(value) => setValues({ ...values, [field.name]: value })}
              />
            )}
            {error ? (
              <p id={`${id}-error`} role="alert" className="max-w-60 text-xs text-destructive">
                {error}
              </p>
            ) : null}
          </div>
        );
      })}
      <Button type="submit">Run report</Button>
    </form>
  );
}
