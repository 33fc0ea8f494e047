"use client";

import { CalendarIcon } from "lucide-react";
import { useState } from "react";
import { DayPicker } from "react-day-picker";
import "react-day-picker/style.css";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { cn } from "@/lib/utils";

/** The console shows and takes every time in UTC (ARCHITECTURE.md: timestamps are UTC); the pickers say so. */
export const consoleTimeZone = "UTC";

const pad = (value: number) => value.toString().padStart(2, "0");

/** `2026-03-01` for a Date, in UTC. */
export function formatDateUtc(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** The UTC midnight of a `2026-03-01` day; null for an empty or malformed text. */
export function dayFromText(text: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const day = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return formatDateUtc(day) === text ? day : null;
}

/** `14:30` for a Date, in UTC. */
export function formatTimeUtc(date: Date): string {
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}

/** The UTC day of `date` at `time` ("HH:mm"); null when the time is not a valid time of day. */
export function combineUtc(date: Date, time: string): Date | null {
  const match = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(time);
  if (!match) return null;
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), Number(match[1]), Number(match[2])));
}

type PickerProps = {
  id?: string;
  value: Date | null | undefined;
  onChange: (value: Date | null) => void;
  onBlur?: () => void;
  placeholder?: string;
  disabled?: boolean;
  /** Days before this cannot be picked. */
  fromDate?: Date;
  "aria-invalid"?: boolean;
  "aria-describedby"?: string;
  className?: string;
  /** Offer a "Clear" button (for optional dates such as an end date). */
  clearable?: boolean;
};

/** A date (UTC midnight) from a calendar: the button shows the day and the time zone. */
export function DatePicker({ id, value, onChange, onBlur, placeholder = "Pick a date", disabled, fromDate, clearable, className, ...aria }: PickerProps) {
  const [open, setOpen] = useState(false);
  return (
    <div className={cn("flex items-center gap-2", className)}>
      <Popover
        open={open}
        onOpenChange={(next) => {
          setOpen(next);
          if (!next) onBlur?.();
        }}
      >
        <PopoverTrigger asChild>
          <Button id={id} type="button" variant="outline" disabled={disabled} className="w-48 justify-start font-normal" {...aria}>
            <CalendarIcon aria-hidden />
            {value ? <span>{formatDateUtc(value)}</span> : <span className="text-muted-foreground">{placeholder}</span>}
            <span className="ml-auto text-xs text-muted-foreground">{consoleTimeZone}</span>
          </Button>
        </PopoverTrigger>
        <PopoverContent className="p-2">
          <DayPicker
            mode="single"
            timeZone={consoleTimeZone}
            selected={value ?? undefined}
            defaultMonth={value ?? undefined}
            disabled={fromDate ? { before: fromDate } : undefined}
            captionLayout="dropdown"
            startMonth={new Date(Date.UTC(2020, 0, 1))}
            endMonth={new Date(Date.UTC(2040, 11, 31))}
            onSelect={(day) => {
              onChange(day ? new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate())) : null);
              setOpen(false);
            }}
            footer={<p className="px-1 pt-1 text-xs text-muted-foreground">Days are in {consoleTimeZone}.</p>}
          />
        </PopoverContent>
      </Popover>
      {clearable && value ? (
        <Button type="button" variant="ghost" size="sm" onClick={() => onChange(null)}>
          Clear
        </Button>
      ) : null}
    </div>
  );
}

/** A date and a time of day, both UTC: a calendar and a time field, with the time zone written beside them. */
export function DateTimePicker(props: PickerProps) {
  const { value, onChange } = props;
  const [time, setTime] = useState(value ? formatTimeUtc(value) : "00:00");
  return (
    <div className={cn("flex flex-wrap items-center gap-2", props.className)}>
      <DatePicker
        {...props}
        className=""
        clearable={false}
        onChange={(day) => {
          if (!day) return onChange(null);
          onChange(combineUtc(day, time) ?? day);
        }}
      />
      <Input
        type="time"
        aria-label="Time (UTC)"
        className="w-28"
        value={time}
        disabled={props.disabled}
        onChange={(event) => {
          setTime(event.target.value);
          const combined = value ? combineUtc(value, event.target.value) : null;
          if (combined) onChange(combined);
        }}
      />
      <span className="text-xs text-muted-foreground">{consoleTimeZone}</span>
      {props.clearable && value ? (
        <Button type="button" variant="ghost" size="sm" onClick={() => onChange(null)}>
          Clear
        </Button>
      ) : null}
    </div>
  );
}
