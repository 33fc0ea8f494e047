"use client";

import { CalendarIcon, ChevronLeft, ChevronRight } from "lucide-react";
import { useState, type ComponentProps } from "react";
import { DayPicker } from "react-day-picker";
import "react-day-picker/style.css";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Popover, PopoverAnchor, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { cn } from "@/lib/utils";
import { consoleTimeZone, dayFromText, formatDateUtc } from "./date-picker";

type FieldProps = Omit<ComponentProps<typeof Input>, "value" | "onChange" | "type"> & {
  value: string;
  onChange: (value: string) => void;
};

/** The typed text, the button that opens the picker, and the time zone: the row both fields share (inside their Popover). */
function TypedField({ value, onChange, className, width, trigger, title, ...input }: FieldProps & { width: string; trigger: string; title: string }) {
  return (
    <PopoverAnchor asChild>
      <div className={cn("flex items-center gap-1", className)}>
        <Input {...input} type="text" inputMode="numeric" autoComplete="off" value={value} onChange={(event) => onChange(event.target.value)} className={width} />
        <PopoverTrigger asChild>
          <Button type="button" variant="outline" size="icon" aria-label={trigger} title={title}>
            <CalendarIcon aria-hidden />
          </Button>
        </PopoverTrigger>
        <span className="text-xs text-muted-foreground">{consoleTimeZone}</span>
      </div>
    </PopoverAnchor>
  );
}

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * A day typed as `2026-03-01` or picked from a calendar (UTC, said beside it). The text stays the
 * form's value, so a form checks it with its own words ("pick a date") and a test or a person in
 * a hurry can type it; the calendar button opens a react-day-picker on the typed day.
 */
export function DateField({ value, onChange, className, ...input }: FieldProps) {
  const [open, setOpen] = useState(false);
  const day = dayFromText(value);
  return (
    <Popover open={open} onOpenChange={setOpen}>
      <TypedField {...input} value={value} onChange={onChange} className={className} placeholder={input.placeholder ?? "YYYY-MM-DD"} width="w-32" trigger="Calendar" title="Pick on a calendar" />
      <PopoverContent className="p-2">
        <DayPicker
          mode="single"
          timeZone={consoleTimeZone}
          selected={day ?? undefined}
          defaultMonth={day ?? undefined}
          captionLayout="dropdown"
          startMonth={new Date(Date.UTC(2020, 0, 1))}
          endMonth={new Date(Date.UTC(2040, 11, 31))}
          onSelect={(picked) => {
            if (picked) onChange(formatDateUtc(new Date(Date.UTC(picked.getUTCFullYear(), picked.getUTCMonth(), picked.getUTCDate()))));
            setOpen(false);
          }}
          footer={<p className="px-1 pt-1 text-xs text-muted-foreground">Days are in {consoleTimeZone}.</p>}
        />
      </PopoverContent>
    </Popover>
  );
}

/** `2026-03` → its year and month index; null for anything else. */
function monthFromText(text: string): { year: number; month: number } | null {
  const match = /^(\d{4})-(\d{2})$/.exec(text);
  if (!match) return null;
  const month = Number(match[2]) - 1;
  return month >= 0 && month <= 11 ? { year: Number(match[1]), month } : null;
}

/**
 * A calendar month typed as `2026-03` or picked from a year of month buttons (UTC months, said
 * beside it): for reports by month and the month close.
 */
export function MonthField({ value, onChange, className, ...input }: FieldProps) {
  const [open, setOpen] = useState(false);
  const selected = monthFromText(value);
  const [year, setYear] = useState(selected?.year ?? new Date().getUTCFullYear());
  return (
    <Popover
      open={open}
      onOpenChange={(next) => {
        if (next) setYear(monthFromText(value)?.year ?? new Date().getUTCFullYear());
        setOpen(next);
      }}
    >
      <TypedField {...input} value={value} onChange={onChange} className={className} placeholder={input.placeholder ?? "YYYY-MM"} width="w-28" trigger="Months" title="Pick a month" />
      <PopoverContent className="w-64 p-3">
        <div className="mb-2 flex items-center justify-between">
          <Button type="button" variant="ghost" size="icon" aria-label="Previous year" onClick={() => setYear(year - 1)}>
            <ChevronLeft aria-hidden />
          </Button>
          <span className="text-sm font-medium" aria-live="polite">
            {year}
          </span>
          <Button type="button" variant="ghost" size="icon" aria-label="Next year" onClick={() => setYear(year + 1)}>
            <ChevronRight aria-hidden />
          </Button>
        </div>
        <div className="grid grid-cols-3 gap-1" role="group" aria-label={`Months of ${year}`}>
          {months.map((name, index) => {
            const text = `${year}-${String(index + 1).padStart(2, "0")}`;
            const isSelected = selected?.year === year && selected.month === index;
            return (
              <Button
                key={name}
                type="button"
                size="sm"
                variant={isSelected ? "default" : "ghost"}
                aria-pressed={isSelected}
                aria-label={`${name} ${year}`}
                onClick={() => {
                  onChange(text);
                  setOpen(false);
                }}
              >
                {name}
              </Button>
            );
          })}
        </div>
      </PopoverContent>
    </Popover>
  );
}
