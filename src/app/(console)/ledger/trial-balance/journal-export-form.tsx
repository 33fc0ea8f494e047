"use client";

import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

/** The journal for a range of days as CSV; a reversed or empty range is explained here instead of downloading an error. */
export function JournalExportForm({ from: initialFrom, to: initialTo }: { from: string; to: string }) {
  const [from, setFrom] = useState(initialFrom);
  const [to, setTo] = useState(initialTo);
  const [error, setError] = useState<string | null>(null);
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to)) {
      setError("Pick both dates.");
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
        <Input id="journal-from" type="date" value={from} onChange={(event) => setFrom(event.target.value)} className="w-44" />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="journal-to">to (inclusive)</Label>
        <Input id="journal-to" type="date" value={to} onChange={(event) => setTo(event.target.value)} className="w-44" aria-invalid={error ? true : undefined} aria-describedby={error ? "journal-error" : undefined} />
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
