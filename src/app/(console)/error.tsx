"use client";

import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";

export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="flex max-w-xl flex-col gap-3">
      <Alert variant="destructive">
        <p className="font-medium">This page could not be loaded.</p>
        <p className="mt-1">{error.message || "Something went wrong on our side."}</p>
        {error.digest ? <p className="mt-1 text-xs">Reference: {error.digest}</p> : null}
      </Alert>
      <Button variant="outline" onClick={reset} className="self-start">
        Try again
      </Button>
    </div>
  );
}
