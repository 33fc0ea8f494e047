"use client";

import { Menu, X } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { Dialog as DialogPrimitive } from "radix-ui";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/lib/utils";
import type { NavigationItem } from "./navigation";

type Item = Pick<NavigationItem, "href" | "label" | "section">;

/**
 * The one active item: the longest href the current path is at or under, so /ledger/trial-balance
 * lights "Trial balance" only, not "Ledger" as well.
 */
export function activeHref(pathname: string, hrefs: readonly string[]): string | null {
  let best: string | null = null;
  for (const href of hrefs) {
    const matches = href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
    if (matches && (best === null || href.length > best.length)) best = href;
  }
  return best;
}

function NavList({ items, onNavigate }: { items: Item[]; onNavigate?: () => void }) {
  const pathname = usePathname();
  const active = activeHref(pathname, items.map((item) => item.href));
  const sections = [...new Set(items.map((item) => item.section))];
  return (
    <div className="flex flex-col gap-4">
      {sections.map((section) => (
        <div key={section}>
          <div className="mb-1 px-3 text-xs font-medium uppercase tracking-wide text-muted-foreground">{section}</div>
          <ul>
            {items
              .filter((item) => item.section === section)
              .map((item) => (
                <li key={item.href}>
                  <Link
                    href={item.href}
                    onClick={onNavigate}
                    aria-current={item.href === active ? "page" : undefined}
                    className={cn(
                      "block rounded-md px-3 py-1.5 text-sm transition-colors hover:bg-accent",
                      item.href === active ? "bg-accent font-medium text-foreground" : "text-muted-foreground",
                    )}
                  >
                    {item.label}
                  </Link>
                </li>
              ))}
          </ul>
        </div>
      ))}
    </div>
  );
}

/** The sidebar from 1024 px up. */
export function SidebarNav({ items }: { items: Item[] }) {
  return (
    <nav aria-label="Console" className="sticky top-0 hidden h-screen w-56 shrink-0 overflow-y-auto border-r bg-muted/30 p-4 lg:block">
      <Link href="/" className="mb-6 block rounded-md px-3 text-lg font-semibold tracking-tight">
        Tally
      </Link>
      <NavList items={items} />
    </nav>
  );
}

/** Under 1024 px the sidebar becomes a menu button in the header that opens it as a sheet. */
export function MobileNav({ items }: { items: Item[] }) {
  const [open, setOpen] = useState(false);
  return (
    <DialogPrimitive.Root open={open} onOpenChange={setOpen}>
      <DialogPrimitive.Trigger asChild>
        <Button variant="outline" size="sm" className="lg:hidden" aria-label="Open menu">
          <Menu aria-hidden />
          Menu
        </Button>
      </DialogPrimitive.Trigger>
      <DialogPrimitive.Portal>
        <DialogPrimitive.Overlay className="fixed inset-0 z-50 bg-black/40 lg:hidden" />
        <DialogPrimitive.Content className="fixed inset-y-0 left-0 z-50 w-72 max-w-[85vw] overflow-y-auto border-r bg-background p-4 shadow-lg lg:hidden">
          <div className="mb-4 flex items-center justify-between">
            <DialogPrimitive.Title className="px-3 text-lg font-semibold tracking-tight">Tally</DialogPrimitive.Title>
            <DialogPrimitive.Close asChild>
              <Button variant="ghost" size="icon" aria-label="Close menu">
                <X aria-hidden />
              </Button>
            </DialogPrimitive.Close>
          </div>
          <DialogPrimitive.Description className="sr-only">The console&apos;s pages</DialogPrimitive.Description>
          <nav aria-label="Console">
            <NavList items={items} onNavigate={() => setOpen(false)} />
          </nav>
        </DialogPrimitive.Content>
      </DialogPrimitive.Portal>
    </DialogPrimitive.Root>
  );
}
