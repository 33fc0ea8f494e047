import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDateTime, formatMoney } from "@/lib/format";
import { timelineKinds, type TimelineKind } from "@/server/reports/list-customer-timeline";
import { getServerApi } from "@/trpc/server";

const kindLabel: Record<TimelineKind, string> = {
  change: "changes",
  plan_change: "plan changes",
  invoice_issued: "invoices issued",
  invoice_paid: "invoices paid",
  payment_succeeded: "payments",
  payment_failed: "failed payments",
  refund: "refunds",
  credit_granted: "credits granted",
  credit_burned: "credits used",
  promotion_redeemed: "promotions",
  webhook: "webhooks",
  anomaly_opened: "anomalies opened",
  anomaly_closed: "anomalies closed",
  note: "notes",
};

export type TimelineParams = { timeline?: string; timelineBefore?: string };

function parseKinds(text: string | undefined): TimelineKind[] {
  return (text ?? "").split(",").filter((kind): kind is TimelineKind => (timelineKinds as readonly string[]).includes(kind));
}

function parseBefore(text: string | undefined): { at: Date; key: string } | undefined {
  const match = text?.match(/^(.{10,40})_([a-z_]{1,30}:.{1,150})$/);
  if (!match) return undefined;
  const at = new Date(match[1]!);
  return Number.isNaN(at.getTime()) ? undefined : { at, key: match[2]! };
}

/** One chronological feed of what happened to the customer, filterable by kind (in the URL), paged. */
export async function TimelineSection({ customerId, params }: { customerId: string; params: TimelineParams }) {
  const api = await getServerApi();
  const kinds = parseKinds(params.timeline);
  const page = await api.customer.feed({ customerId, kinds, limit: 30, cursor: parseBefore(params.timelineBefore) });
  const href = (next: { kinds?: TimelineKind[]; before?: string }) => {
    const query = new URLSearchParams();
    if (next.kinds && next.kinds.length > 0) query.set("timeline", next.kinds.join(","));
    if (next.before) query.set("timelineBefore", next.before);
    const text = query.toString();
    return `/customers/${customerId}${text ? `?${text}` : ""}#timeline`;
  };
  return (
    <Card id="timeline">
      <CardHeader>
        <CardTitle>Timeline</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <nav className="flex flex-wrap gap-2 text-xs" aria-label="Filter the timeline">
          <Link href={href({})} className={kinds.length === 0 ? "font-semibold" : "text-muted-foreground hover:underline"}>
            everything
          </Link>
          {timelineKinds.map((kind) => (
            <Link key={kind} href={href({ kinds: [kind] })} className={kinds.length === 1 && kinds[0] === kind ? "font-semibold" : "text-muted-foreground hover:underline"}>
              {kindLabel[kind]}
            </Link>
          ))}
        </nav>
        {page.items.length === 0 ? (
          <p className="text-sm text-muted-foreground">Nothing recorded{kinds.length > 0 ? " of this kind" : ""} for this customer yet.</p>
        ) : (
          <ol className="flex flex-col gap-2 text-sm" data-testid="customer-timeline">
            {page.items.map((entry) => (
              <li key={entry.key} className="flex flex-wrap items-baseline gap-3" data-kind={entry.kind}>
                <span className="w-40 shrink-0 text-muted-foreground">{formatDateTime(entry.at)}</span>
                <Badge variant="outline">{kindLabel[entry.kind]}</Badge>
                <span className="font-medium">{entry.href ? <Link href={entry.href} className="underline-offset-4 hover:underline">{entry.title}</Link> : entry.title}</span>
                {entry.amountMicros !== null ? <span className="font-mono">{formatMoney(entry.amountMicros, entry.currency ?? "usd")}</span> : null}
                {entry.actor ? <span className="text-muted-foreground">by {entry.actor}</span> : null}
                {entry.detail ? <span className="text-muted-foreground">— {entry.detail}</span> : null}
              </li>
            ))}
          </ol>
        )}
        {page.nextCursor ? (
          <Link href={href({ kinds, before: `${page.nextCursor.at.toISOString()}_${page.nextCursor.key}` })} className="text-sm underline-offset-4 hover:underline">
            Earlier
          </Link>
        ) : null}
      </CardContent>
    </Card>
  );
}
