"use client";

import { useState, type ComponentProps } from "react";
import { Input } from "@/components/ui/input";
import { parseMoneyToMicros } from "@/lib/parse-money";

/** Micro-units (a string) as dollars for a person: "15000000" → "15", "2500" → "0.0025". */
export function microsToDollars(micros: string | bigint | null | undefined): string {
  if (micros === null || micros === undefined || micros === "") return "";
  const value = BigInt(micros);
  const whole = value / 1_000_000n;
  const fraction = (value % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : whole.toString();
}

type Props = Omit<ComponentProps<"input">, "value" | "onChange" | "onInvalid"> & {
  value: string | bigint | null | undefined;
  /** Micro-units as a string, or null when the field is empty (and `optional`). */
  onChange: (micros: string | null) => void;
  /** Called with a sentence when the text is not an amount (the value is left as it was). */
  onProblem?: (message: string | null) => void;
  optional?: boolean;
};

/** A money amount typed in dollars ("15", "$1,250.50"), kept as exact micro-units; never a float. */
export function MoneyInput({ value, onChange, onProblem, optional, ...props }: Props) {
  const [text, setText] = useState(microsToDollars(value ?? null));
  return (
    <div className="relative">
      <span className="pointer-events-none absolute left-3 top-1/2 -translate-y-1/2 text-sm text-muted-foreground" aria-hidden>
        $
      </span>
      <Input
        inputMode="decimal"
        autoComplete="off"
        {...props}
        className={`pl-6 ${props.className ?? ""}`}
        value={text}
        onChange={(event) => {
          const next = event.target.value;
          setText(next);
          if (optional && next.trim() === "") {
            onProblem?.(null);
            return onChange(null);
          }
          const micros = parseMoneyToMicros(next, { allowZero: true });
          if (micros === null) return onProblem?.("Enter an amount in dollars, like 15 or 0.0025 (at most 6 decimals).");
          onProblem?.(null);
          onChange(micros);
        }}
      />
    </div>
  );
}
