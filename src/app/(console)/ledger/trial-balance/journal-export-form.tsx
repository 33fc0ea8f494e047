"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { DateField } from "@/components/form/date-field";
import { dayFromText } from "@/components/form/date-picker";
import { Label } from "@/components/ui/label";

/** The journal for a range of days as CSV; a reversed or empty range is explained here instead of downloading an error. */
export function JournalExportForm({ from: initialFrom, to: initialTo }: { from: string; to: string }) {
  const [from, setFrom] = useState(initialFrom);
  const [to, setTo] = useState(initialTo);
  const [error, setError] = useState<string | null>(null);
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!dayFromText(from) || !dayFromText(to)) {
      setError("Give both days as a date such as 2026-03-01, or pick them on the calendar.");
      return;
    }
    if (to < from) {
      setError(`The range is reversed: ${from} is after ${to}. Put the earlier date first.`);
      return;
    }
    setError(null);
    // The CSV endpoint's range is half-open: include the whole last day.
    const end = new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    // A file download, not a page: a link the browser follows as a download.
    const link = document.createElement("a");
    link.href = `/api/ledger/journal.csv?${new URLSearchParams({ from, to: end })}`;
    link.download = "";
    link.click();
  }
  return (
    <form onSubmit={submit} noValidate className="flex flex-wrap items-end gap-3" aria-label="Export the journal">
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="journal-from">Journal from</Label>
        <DateField id="journal-from" value={from} onChange={setFrom} />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="journal-to">to (inclusive)</Label>
        <DateField id="journal-to" value={to} onChange={setTo} aria-invalid={error ? true : undefined} aria-describedby={error ? "journal-error" : undefined} />
      </div>
      <Button type="submit" variant="outline">
        Export journal CSV
      </Button>
      {error ? (
        <p id="journal-error" role="alert" className="w-full text-sm text-destructive">
          {error}
        </p>
      ) : null}
    </form>
  );
}
