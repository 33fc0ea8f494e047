"use client";

import { Check, Copy } from "lucide-react";
import { useState } from "react";

/** An id shortened to its first 8 characters, with a button that copies the whole of it. */
export function CopyableId({ id, label }: { id: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <span className="inline-flex items-center gap-1 font-mono text-xs">
      <span title={id}>{id.slice(0, 8)}</span>
      <button
        type="button"
        className="inline-flex size-6 items-center justify-center rounded-sm text-muted-foreground hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring"
        aria-label={copied ? `${label} copied` : `Copy ${label}`}
        onClick={() => {
          void navigator.clipboard?.writeText(id).then(() => setCopied(true));
        }}
      >
        {copied ? <Check aria-hidden className="size-3" /> : <Copy aria-hidden className="size-3" />}
      </button>
    </span>
  );
}
