"use client";

import { useQuery } from "@tanstack/react-query";
import { Search } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { Command, CommandEmpty, CommandGroup, CommandInput, CommandItem, CommandList, CommandLoading } from "@/components/ui/command";
import { Dialog, DialogContent, DialogDescription, DialogTitle } from "@/components/ui/dialog";
import { useTRPC } from "@/trpc/react";

const groups = [
  { kind: "customer", heading: "Customers" },
  { kind: "invoice", heading: "Invoices" },
  { kind: "promotion", heading: "Promotion codes" },
] as const;

/** Waits until typing pauses before asking the server. */
function useDebounced(value: string, delayMs: number): string {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

/**
 * ⌘K / Ctrl+K anywhere in the console (or the header button): customers by name, email or
 * external id, invoices by number, Stripe customer / subscription / invoice ids, promotion codes.
 * Enter opens the highlighted result.
 */
export function GlobalSearch() {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const query = useDebounced(text.trim(), 150);
  const results = useQuery({ ...trpc.search.global.queryOptions({ query }), enabled: open && query.length >= 3, staleTime: 30_000 });

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key.toLowerCase() === "k" && (event.metaKey || event.ctrlKey)) {
        event.preventDefault();
        setOpen((current) => !current);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const hits = results.data ?? [];
  const go = (href: string) => {
    setOpen(false);
    setText("");
    router.push(href);
  };

  return (
    <>
      <Button variant="outline" size="sm" className="text-muted-foreground" onClick={() => setOpen(true)} data-testid="global-search-open">
        <Search aria-hidden className="size-4" />
        <span className="sr-only sm:not-sr-only">Search</span>
        <kbd className="hidden rounded border px-1 text-[10px] sm:inline">⌘K</kbd>
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent className="p-0 sm:max-w-xl">
          <DialogTitle className="sr-only">Search</DialogTitle>
          <DialogDescription className="sr-only">Customers by name, email or external id; invoices by number; Stripe ids; promotion codes.</DialogDescription>
          <Command shouldFilter={false} label="Global search">
            <CommandInput value={text} onValueChange={setText} placeholder="Customer, email, invoice number, cus_…, sub_…, in_…, promotion code" aria-label="Search everything" />
            <CommandList data-testid="global-search-results">
              {query.length < 3 ? <div className="px-2 py-4 text-center text-sm text-muted-foreground">Type at least 3 characters.</div> : null}
              {query.length >= 3 && results.isFetching && hits.length === 0 ? <CommandLoading>Searching…</CommandLoading> : null}
              {query.length >= 3 && !results.isFetching && results.isSuccess ? <CommandEmpty>Nothing matches “{query}”.</CommandEmpty> : null}
              {results.isError ? <div className="px-2 py-4 text-sm text-destructive">Search failed: {results.error.message}</div> : null}
              {groups.map((group) => {
                const items = hits.filter((hit) => hit.kind === group.kind);
                if (items.length === 0) return null;
                return (
                  <CommandGroup key={group.kind} heading={group.heading}>
                    {items.map((hit) => (
                      <CommandItem key={`${hit.kind}:${hit.id}`} value={`${hit.kind}:${hit.id}`} onSelect={() => go(hit.href)}>
                        <div className="min-w-0">
                          <div className="truncate font-medium">{hit.title}</div>
                          <div className="truncate text-xs text-muted-foreground">
                            {hit.detail}
                            {hit.matchedBy ? ` · ${hit.matchedBy}` : ""}
                          </div>
                        </div>
                      </CommandItem>
                    ))}
                  </CommandGroup>
                );
              })}
            </CommandList>
          </Command>
        </DialogContent>
      </Dialog>
    </>
  );
}
