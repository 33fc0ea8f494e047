import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { AnomalyKind } from "@/db/schema";
import { formatDateTime, formatMoney } from "@/lib/format";

/* Evidence as people read it: tables and links, per kind. Shapes are the detectors' (src/server/anomalies/detectors, enrich-usage-findings.ts). */

type Json = Record<string, unknown>;
const text = (value: unknown): string => (value === null || value === undefined || value === "" ? "—" : String(value));
const number = (value: unknown, digits = 0): string => (typeof value === "number" && Number.isFinite(value) ? value.toLocaleString("en-US", { maximumFractionDigits: digits }) : text(value));
const percent = (value: unknown): string => (typeof value === "number" && Number.isFinite(value) ? `${Math.round(value * 100)}%` : "—");
const quantity = (value: unknown): string => {
  if (typeof value !== "string" || !/^-?\d+(\.\d+)?$/.test(value)) return text(value);
  const [whole = "0", fraction] = value.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const trimmed = fraction?.replace(/0+$/, "").slice(0, 4);
  return trimmed ? `${grouped}.${trimmed}` : grouped;
};
const money = (value: unknown, currency: string, signed = false): string => (typeof value === "string" && /^-?\d+$/.test(value) ? formatMoney(value, currency, { signed }) : "—");
const dimensionsText = (value: unknown): string => {
  const entries = Object.entries((value ?? {}) as Record<string, unknown>);
  return entries.length === 0 ? "(all)" : entries.map(([key, each]) => `${key} ${each ?? "(none)"}`).join(", ");
};

export function AnomalyEvidence({ kind, evidence, currency, customer }: { kind: AnomalyKind; evidence: Json; currency: string; customer: { id: string; externalId: string } | null }) {
  switch (kind) {
    case "usage_spike":
      return <SpikeEvidence evidence={evidence} />;
    case "usage_drop":
      return <DropEvidence evidence={evidence} customer={customer} />;
    case "invoice_jump":
      return <InvoiceJumpEvidence evidence={evidence} currency={currency} />;
    case "duplicate_charge":
      return <DuplicateEvidence evidence={evidence} currency={currency} />;
    case "payment_failure":
      return <PaymentFailureEvidence evidence={evidence} currency={currency} />;
    default:
      return <GenericEvidence evidence={evidence} />;
  }
}

function SpikeEvidence({ evidence }: { evidence: Json }) {
  const dimensions = (evidence.dimensions ?? []) as { dimensions: Json; observed: number; expected: number; excess: number }[];
  const sources = ((evidence.sources as Json | undefined)?.sources ?? []) as { source: string; observedShare: number; baselineShare: number; excessEvents: number }[];
  return (
    <div className="flex flex-col gap-6">
      <section aria-label="Dimension values">
        <h3 className="mb-2 text-sm font-medium">What contributed (dimension values)</h3>
        {dimensions.length === 0 ? (
          <p className="text-sm text-muted-foreground">This meter has no dimensions to split by.</p>
        ) : (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Dimension values</TableHead>
                <TableHead className="text-right">Observed</TableHead>
                <TableHead className="text-right">Expected</TableHead>
                <TableHead className="text-right">Excess</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody data-testid="attribution-dimensions">
              {dimensions.map((row, index) => (
                <TableRow key={index}>
                  <TableCell>{dimensionsText(row.dimensions)}</TableCell>
                  <TableCell className="text-right tabular-nums">{number(row.observed, 2)}</TableCell>
                  <TableCell className="text-right tabular-nums">{number(row.expected, 2)}</TableCell>
                  <TableCell className="text-right tabular-nums">{number(row.excess, 2)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </section>
      <section aria-label="Event sources">
        <h3 className="mb-2 text-sm font-medium">Event sources (share of events now vs a week earlier)</h3>
        {sources.length === 0 ? (
          <p className="text-sm text-muted-foreground">No source breakdown.</p>
        ) : (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Source</TableHead>
                <TableHead className="text-right">Share now</TableHead>
                <TableHead className="text-right">Share before</TableHead>
                <TableHead className="text-right">Excess events</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody data-testid="attribution-sources">
              {sources.map((row) => (
                <TableRow key={row.source}>
                  <TableCell className="font-mono text-xs">{row.source}</TableCell>
                  <TableCell className="text-right tabular-nums">{percent(row.observedShare)}</TableCell>
                  <TableCell className="text-right tabular-nums">{percent(row.baselineShare)}</TableCell>
                  <TableCell className="text-right tabular-nums">{number(row.excessEvents)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </section>
    </div>
  );
}

function DropEvidence({ evidence, customer }: { evidence: Json; customer: { id: string; externalId: string } | null }) {
  const unknown = (evidence.unknownSubjects ?? []) as { subject: string; firstSeenAt: string; events: number; similarity: number; likely: boolean }[];
  const rejections = (evidence.rejections ?? []) as { code: string; count: number }[];
  const stop = evidence.stop as { lastActiveAt: string | null; silentHours: number } | null;
  return (
    <div className="flex flex-col gap-6">
      <dl className="grid grid-cols-2 gap-x-8 gap-y-2 text-sm md:grid-cols-4">
        <dt className="text-muted-foreground">Expected events</dt>
        <dd className="tabular-nums">{number(evidence.expectedEvents)}</dd>
        <dt className="text-muted-foreground">Events received</dt>
        <dd className="tabular-nums">{number(evidence.observedEvents)}</dd>
        <dt className="text-muted-foreground">Last event</dt>
        <dd>{stop?.lastActiveAt ? formatDateTime(stop.lastActiveAt) : "—"}</dd>
        <dt className="text-muted-foreground">Silent for</dt>
        <dd>{stop ? `${number(stop.silentHours)} h` : "—"}</dd>
        <dt className="text-muted-foreground">Customer&apos;s external id</dt>
        <dd className="font-mono text-xs">{text(evidence.externalId ?? customer?.externalId)}</dd>
        <dt className="text-muted-foreground">Rejected events</dt>
        <dd className="tabular-nums">{number(evidence.rejectedEvents)}</dd>
      </dl>
      <section aria-label="Unknown subjects">
        <h3 className="mb-2 text-sm font-medium">Events arriving under an unknown subject since usage fell</h3>
        {unknown.length === 0 ? (
          <p className="text-sm text-muted-foreground">None: no new unknown subject started sending when this customer stopped.</p>
        ) : (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Subject</TableHead>
                <TableHead className="text-right">Events</TableHead>
                <TableHead>First seen</TableHead>
                <TableHead>Match</TableHead>
                <TableHead />
              </TableRow>
            </TableHeader>
            <TableBody data-testid="unknown-subject-evidence">
              {unknown.map((row) => (
                <TableRow key={row.subject}>
                  <TableCell className="font-mono text-xs">{row.subject}</TableCell>
                  <TableCell className="text-right tabular-nums">{number(row.events)}</TableCell>
                  <TableCell className="text-xs">{formatDateTime(row.firstSeenAt)}</TableCell>
                  <TableCell>{row.likely ? <Badge variant="warning">likely this customer</Badge> : <span className="text-xs text-muted-foreground">similarity {percent(row.similarity)}</span>}</TableCell>
                  <TableCell>
                    <Link href={`/metering/unknown-subjects?q=${encodeURIComponent(row.subject)}`} className="text-sm underline underline-offset-4">
                      See on Ingestion
                    </Link>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </section>
      {rejections.length > 0 ? (
        <section aria-label="Rejected events">
          <h3 className="mb-2 text-sm font-medium">Rejected events for this customer</h3>
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Code</TableHead>
                <TableHead className="text-right">Events</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rejections.map((row) => (
                <TableRow key={row.code}>
                  <TableCell className="font-mono text-xs">{row.code}</TableCell>
                  <TableCell className="text-right tabular-nums">{number(row.count)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </section>
      ) : null}
    </div>
  );
}

function InvoiceJumpEvidence({ evidence, currency }: { evidence: Json; currency: string }) {
  const attribution = (evidence.attribution ?? {}) as Json;
  const rows = (attribution.rows ?? []) as Json[];
  const previous = (evidence.previous ?? {}) as Json;
  const current = (evidence.current ?? {}) as Json;
  const changes = (evidence.planChanges ?? []) as Json[];
  return (
    <div className="flex flex-col gap-6">
      <dl className="grid grid-cols-2 gap-x-8 gap-y-2 text-sm md:grid-cols-4">
        <dt className="text-muted-foreground">Previous invoice</dt>
        <dd>
          {money(previous.totalMicros, currency)} · {text(previous.plan)}
        </dd>
        <dt className="text-muted-foreground">This invoice</dt>
        <dd>
          {money(current.totalMicros, currency)} · {text(current.plan)}
        </dd>
        <dt className="text-muted-foreground">Quantity effect</dt>
        <dd data-testid="quantity-effect">{money(attribution.quantityEffectMicros, currency, true)}</dd>
        <dt className="text-muted-foreground">Price effect</dt>
        <dd data-testid="price-effect">{money(attribution.priceEffectMicros, currency, true)}</dd>
        <dt className="text-muted-foreground">Other (discounts, credits, prorations)</dt>
        <dd>{money(attribution.otherEffectMicros, currency, true)}</dd>
        <dt className="text-muted-foreground">Cause</dt>
        <dd>{text(evidence.cause)}</dd>
      </dl>
      {changes.length > 0 ? (
        <p className="text-sm">
          Plan changes in between:{" "}
          {changes.map((change, index) => (
            <span key={index}>
              {index > 0 ? "; " : ""}
              {formatDateTime(String(change.at))} {text(change.from ?? change.fromPlan)} → {text(change.to ?? change.toPlan)}
            </span>
          ))}
        </p>
      ) : null}
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Line</TableHead>
            <TableHead className="text-right">Quantity</TableHead>
            <TableHead className="text-right">Unit price</TableHead>
            <TableHead className="text-right">Change</TableHead>
            <TableHead className="text-right">Quantity effect</TableHead>
            <TableHead className="text-right">Price effect</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody data-testid="attribution-lines">
          {rows.map((row, index) => (
            <TableRow key={index}>
              <TableCell className="max-w-xs whitespace-normal">{text(row.description)}</TableCell>
              <TableCell className="text-right tabular-nums text-xs">
                {quantity(row.previousQuantity)} → {quantity(row.currentQuantity)}
              </TableCell>
              <TableCell className="text-right tabular-nums text-xs">
                {text(row.previousUnitPrice)} → {text(row.currentUnitPrice)}
              </TableCell>
              <TableCell className="text-right tabular-nums">{money(row.deltaMicros, currency, true)}</TableCell>
              <TableCell className="text-right tabular-nums">{money(row.quantityEffectMicros, currency, true)}</TableCell>
              <TableCell className="text-right tabular-nums">{money(row.priceEffectMicros, currency, true)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

function DuplicateEvidence({ evidence, currency }: { evidence: Json; currency: string }) {
  const objects = [evidence.first, evidence.second].filter((each): each is Json => typeof each === "object" && each !== null);
  if (objects.length === 0) return <GenericEvidence evidence={evidence} />;
  const charges = objects.some((each) => "chargeId" in each);
  return (
    <div className="flex flex-col gap-3">
      {typeof evidence.refundableMicros === "string" ? <p className="text-sm">Refundable now: {money(evidence.refundableMicros, currency)}</p> : null}
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>{charges ? "Payment (Stripe charge)" : "Invoice"}</TableHead>
            <TableHead className="text-right">Amount</TableHead>
            <TableHead>Status</TableHead>
            <TableHead>{charges ? "Card" : "Period"}</TableHead>
            <TableHead>{charges ? "When" : "Source"}</TableHead>
            <TableHead>Stripe ids</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody data-testid="duplicate-payments">
          {objects.map((each, index) =>
            charges ? (
              <TableRow key={index}>
                <TableCell className="font-mono text-xs">{text(each.chargeId)}</TableCell>
                <TableCell className="text-right tabular-nums">{money(each.amountMicros, String(each.currency ?? currency))}</TableCell>
                <TableCell>{text(each.status)}</TableCell>
                <TableCell>{text(each.card)}</TableCell>
                <TableCell className="text-xs">{formatDateTime(String(each.created))}</TableCell>
                <TableCell className="font-mono text-xs">
                  {text(each.paymentIntentId)}
                  {each.stripeInvoiceId ? ` · ${String(each.stripeInvoiceId)}` : ""}
                </TableCell>
              </TableRow>
            ) : (
              <TableRow key={index}>
                <TableCell>
                  {each.source === "tally" ? (
                    <Link href={`/invoices/${String(each.id)}`} className="underline underline-offset-4">
                      {text(each.number ?? each.id)}
                    </Link>
                  ) : (
                    text(each.number ?? each.id)
                  )}
                </TableCell>
                <TableCell className="text-right tabular-nums">{money(each.totalMicros, currency)}</TableCell>
                <TableCell>{text(each.status)}</TableCell>
                <TableCell className="text-xs">
                  {formatDateTime(each.periodStart as string)} → {formatDateTime(each.periodEnd as string)}
                </TableCell>
                <TableCell>{text(each.source)}</TableCell>
                <TableCell className="font-mono text-xs">{each.source === "stripe" ? text(each.id) : "—"}</TableCell>
              </TableRow>
            ),
          )}
        </TableBody>
      </Table>
    </div>
  );
}

function PaymentFailureEvidence({ evidence, currency }: { evidence: Json; currency: string }) {
  const attempts = (evidence.attempts ?? []) as Json[];
  return (
    <div className="flex flex-col gap-3">
      <dl className="grid grid-cols-2 gap-x-8 gap-y-2 text-sm md:grid-cols-4">
        <dt className="text-muted-foreground">Invoice</dt>
        <dd>
          {typeof evidence.invoiceId === "string" ? (
            <Link href={`/invoices/${evidence.invoiceId}`} className="underline underline-offset-4">
              {text(evidence.invoiceNumber ?? evidence.invoiceId)}
            </Link>
          ) : (
            "—"
          )}
        </dd>
        <dt className="text-muted-foreground">Stripe invoice</dt>
        <dd className="font-mono text-xs">{text(evidence.stripeInvoiceId)}</dd>
        <dt className="text-muted-foreground">Attempts</dt>
        <dd>{number(evidence.attemptCount)}</dd>
        <dt className="text-muted-foreground">Next retry</dt>
        <dd>{evidence.nextRetryAt ? formatDateTime(String(evidence.nextRetryAt)) : "—"}</dd>
      </dl>
      {attempts.length > 0 ? (
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Charge</TableHead>
              <TableHead className="text-right">Amount</TableHead>
              <TableHead>Status</TableHead>
              <TableHead>Failure</TableHead>
              <TableHead>When</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {attempts.map((attempt, index) => (
              <TableRow key={index}>
                <TableCell className="font-mono text-xs">{text(attempt.chargeId)}</TableCell>
                <TableCell className="text-right tabular-nums">{money(attempt.amountMicros, String(attempt.currency ?? currency))}</TableCell>
                <TableCell>{text(attempt.status)}</TableCell>
                <TableCell className="max-w-xs whitespace-normal text-xs">{text(attempt.failureMessage ?? attempt.failureCode)}</TableCell>
                <TableCell className="text-xs">{formatDateTime(String(attempt.created))}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </div>
  );
}

/** Other kinds: the evidence's plain facts as a list (nested objects summarized, never raw JSON). */
function GenericEvidence({ evidence }: { evidence: Json }) {
  const entries = Object.entries(evidence).filter(([, value]) => value === null || ["string", "number", "boolean"].includes(typeof value));
  if (entries.length === 0) return <p className="text-sm text-muted-foreground">No further evidence recorded.</p>;
  return (
    <dl className="grid grid-cols-2 gap-x-8 gap-y-2 text-sm md:grid-cols-4">
      {entries.map(([key, value]) => (
        <div key={key} className="contents">
          <dt className="text-muted-foreground">{key.replace(/([A-Z])/g, " $1").replace(/_/g, " ").toLowerCase()}</dt>
          <dd className={typeof value === "string" && /^(ch|pi|in|cus|re)_/.test(value) ? "font-mono text-xs" : undefined}>{/Micros$/.test(key) && typeof value === "string" ? formatMoney(value) : text(value)}</dd>
        </div>
      ))}
    </dl>
  );
}
