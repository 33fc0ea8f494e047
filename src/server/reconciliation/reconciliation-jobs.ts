import type { JobDefinition } from "@/server/jobs/types";
import { DomainError } from "@/server/errors";
import { discrepancyKinds, type DiscrepancyKind } from "./discrepancy";
import { reconcile } from "./reconcile";

function dateArg(value: string | boolean | undefined, name: string): Date | undefined {
  if (value === undefined || value === false) return undefined;
  const date = new Date(String(value));
  if (Number.isNaN(date.getTime())) throw new DomainError("invalid", "invalid_date", `--${name} must be a date such as 2026-11-01.`);
  return date;
}

export const reconciliationJobs: JobDefinition[] = [
  {
    name: "reconcile",
    description: "Compare every pair of books (events, rollups, invoices, ledger, Stripe, grants); record and clear discrepancies; invoice accuracy",
    run: async ({ db, clock, log }, args) => {
      const kinds = typeof args.kinds === "string" ? args.kinds.split(",").map((kind) => kind.trim()) : undefined;
      for (const kind of kinds ?? []) {
        if (!(discrepancyKinds as readonly string[]).includes(kind)) {
          throw new DomainError("invalid", "unknown_discrepancy_kind", `Unknown kind "${kind}"; kinds: ${discrepancyKinds.join(", ")}.`);
        }
      }
      const from = dateArg(args.from, "from");
      const to = dateArg(args.to, "to");
      const result = await reconcile(db, clock, { ...(from ? { from } : {}), ...(to ? { to } : {}), ...(kinds ? { kinds: kinds as DiscrepancyKind[] } : {}) });
      const open = Object.values(result.openByKind).reduce((sum, count) => sum + count, 0);
      log(`${result.found} differences found, ${result.opened} new, ${result.resolved} resolved; ${open} open`);
      return {
        ok: true,
        runId: result.runId,
        from: result.from.toISOString(),
        to: result.to.toISOString(),
        found: result.found,
        opened: result.opened,
        resolved: result.resolved,
        unexplainedDiscrepancies: open,
        openByKind: result.openByKind,
        invoiceAccuracy: result.invoiceAccuracy.map((month) => ({ ...month, month: month.month.toISOString().slice(0, 7), correctedMicros: month.correctedMicros.toString() })),
      };
    },
  },
];
