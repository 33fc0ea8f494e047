import Link from "next/link";
import type { ReactNode } from "react";
import { navigation } from "@/components/console/navigation";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDateTime, formatMoney } from "@/lib/format";
import type { AdminHome, FinanceHome, MoneyByCurrency, ProductHome, SupportHome } from "@/server/home/get-home";
import { UsageTrendChart } from "./usage-trend-chart";

/** One number that starts a task: a label, the figure, a line of context, and where to act on it. */
export function Stat({ label, value, detail, href, testId, tone }: { label: string; value: ReactNode; detail?: ReactNode; href: string; testId?: string; tone?: "warning" | "good" }) {
  return (
    <Link
      href={href}
      data-testid={testId}
      className="group flex flex-col gap-1 rounded-lg border bg-card p-4 shadow-sm transition-colors hover:bg-accent/50"
    >
      <span className="text-sm text-muted-foreground">{label}</span>
      <span className={`text-2xl font-semibold tabular-nums ${tone === "warning" ? "text-destructive" : ""}`}>{value}</span>
      {detail ? <span className="text-xs text-muted-foreground">{detail}</span> : null}
      <span className="mt-1 text-xs font-medium text-primary underline-offset-4 group-hover:underline">Open →</span>
    </Link>
  );
}

function Section({ title, description, children }: { title: string; description?: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`home-${title}`} className="flex flex-col gap-3">
      <div>
        <h2 id={`home-${title}`} className="text-lg font-semibold tracking-tight">
          {title}
        </h2>
        {description ? <p className="text-sm text-muted-foreground">{description}</p> : null}
      </div>
      {children}
    </section>
  );
}

const grid = "grid gap-3 sm:grid-cols-2 xl:grid-cols-4";

function moneyList(amounts: MoneyByCurrency): string {
  if (amounts.length === 0) return formatMoney(0n);
  return amounts.map((amount) => formatMoney(amount.micros, amount.currency)).join(" · ");
}

const count = (value: number) => new Intl.NumberFormat("en").format(value);

/** The anomaly queue when the console has it; until then the customers with the most open anomalies first. */
const anomalyQueueHref = navigation.some((item) => item.href === "/anomalies") ? "/anomalies?status=open" : "/customers?sort=anomalies&dir=desc";

export function SupportSection({ data }: { data: SupportHome }) {
  return (
    <Section title="Customers" description="Who needs help today.">
      <div className={grid}>
        <Stat
          label="Open anomalies"
          value={count(data.anomalies.open)}
          detail={`${count(data.anomalies.acknowledged)} acknowledged and being looked at`}
          href={anomalyQueueHref}
          testId="home-anomalies"
          tone={data.anomalies.open > 0 ? "warning" : undefined}
        />
        <Stat
          label="Customers in dunning"
          value={count(data.customersInDunning)}
          detail={`${moneyList(data.dunningDueMicros)} due · ${count(data.restrictedCustomers)} restricted`}
          href="/customers"
          testId="home-dunning"
          tone={data.customersInDunning > 0 ? "warning" : undefined}
        />
        <Stat label="Credit requests waiting" value={count(data.creditRequestsWaiting)} detail="Above the requester's limit; finance decides." href="/credits/approvals" testId="home-credit-requests" />
      </div>
    </Section>
  );
}

export function ProductSection({ data }: { data: ProductHome }) {
  const series = [...new Set(data.usageByDay.map((row) => row.meterKey))];
  const byDay = new Map<string, Record<string, string | number>>();
  for (const row of data.usageByDay) {
    const point = byDay.get(row.day) ?? { day: row.day };
    // Chart coordinates only; exact totals are shown as decimals in the table.
    point[row.meterKey] = Number(row.quantity);
    byDay.set(row.day, point);
  }
  const totals = series.map((meterKey) => {
    const rows = data.usageByDay.filter((row) => row.meterKey === meterKey);
    return { meterKey, productKey: rows[0]?.productKey ?? null, days: rows.length, total: sumDecimals(rows.map((row) => row.quantity)) };
  });
  const trialsEnded = data.trials.convertedLast30Days + data.trials.endedWithoutPayingLast30Days;
  return (
    <Section title="Product" description="Usage, plans, promotions and trials.">
      <div className={grid}>
        <Stat label="Active promotions" value={count(data.activePromotions)} detail={`${count(data.redemptionsLast30Days)} redemptions in 30 days · ${count(data.redemptionsTotal)} in all`} href="/promotions" testId="home-promotions" />
        <Stat
          label="Trial conversions (30 days)"
          value={trialsEnded === 0 ? "—" : `${Math.round((data.trials.convertedLast30Days / trialsEnded) * 100)}%`}
          detail={`${count(data.trials.convertedLast30Days)} converted, ${count(data.trials.endedWithoutPayingLast30Days)} lapsed · ${count(data.trials.trialing)} in trial now`}
          href="/customers"
          testId="home-trials"
        />
        <Stat label="Live subscriptions" value={count(data.planMix.reduce((sum, plan) => sum + plan.subscriptions, 0))} detail={`on ${count(data.planMix.length)} plans`} href="/catalog" />
        <Stat label="Meters with usage (30 days)" value={count(series.length)} href="/metering" />
      </div>
      <div className="grid gap-3 lg:grid-cols-3">
        <Card className="min-w-0 lg:col-span-2">
          <CardHeader>
            <CardTitle>Usage by meter, last 30 days</CardTitle>
            <CardDescription>Daily totals from the hourly rollups (UTC days).</CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-3">
            {series.length === 0 ? <p className="text-sm text-muted-foreground">No usage in the last 30 days.</p> : <UsageTrendChart rows={[...byDay.values()]} series={series} />}
            <ul className="grid gap-1 text-sm sm:grid-cols-2" data-testid="home-usage-totals">
              {totals.map((total) => (
                <li key={total.meterKey} className="flex justify-between gap-3">
                  <span className="truncate">
                    <span className="font-mono text-xs">{total.meterKey}</span>
                    {total.productKey ? <span className="text-muted-foreground"> · {total.productKey}</span> : null}
                  </span>
                  <span className="tabular-nums">{formatDecimal(total.total)}</span>
                </li>
              ))}
            </ul>
          </CardContent>
        </Card>
        <Card className="min-w-0">
          <CardHeader>
            <CardTitle>Plan mix</CardTitle>
            <CardDescription>Live subscriptions by plan.</CardDescription>
          </CardHeader>
          <CardContent>
            <ul className="flex flex-col gap-2 text-sm" data-testid="home-plan-mix">
              {data.planMix.map((plan) => {
                const all = data.planMix.reduce((sum, each) => sum + each.subscriptions, 0) || 1;
                const share = Math.round((plan.subscriptions / all) * 100);
                return (
                  <li key={plan.planKey} className="flex flex-col gap-1">
                    <span className="flex justify-between gap-2">
                      <span>{plan.planName}</span>
                      <span className="tabular-nums text-muted-foreground">
                        {count(plan.subscriptions)} · {share}%
                      </span>
                    </span>
                    <span className="h-1.5 rounded bg-muted" aria-hidden>
                      <span className="block h-1.5 rounded bg-primary" style={{ width: `${share}%` }} />
                    </span>
                  </li>
                );
              })}
            </ul>
          </CardContent>
        </Card>
      </div>
    </Section>
  );
}

export function FinanceSection({ data }: { data: FinanceHome }) {
  const change = data.revenueThisMonth.map((amount) => {
    const last = data.revenueLastMonth.find((other) => other.currency === amount.currency)?.micros ?? 0n;
    return { currency: amount.currency, difference: amount.micros - last };
  });
  return (
    <Section title="Money" description="Revenue, what is owed, what is held as credit, and what disagrees.">
      <div className={grid}>
        <Stat
          label="Revenue this month"
          value={moneyList(data.revenueThisMonth)}
          detail={`Last month ${moneyList(data.revenueLastMonth)}${change.length > 0 ? ` · ${change.map((each) => formatMoney(each.difference, each.currency, { signed: true })).join(" · ")}` : ""} · invoiced this month ${moneyList(data.invoicedThisMonth)}`}
          href="/reports/revenue"
          testId="home-revenue"
        />
        <Stat
          label="Receivables due"
          value={data.receivablesDue.length === 0 ? formatMoney(0n) : data.receivablesDue.map((row) => formatMoney(row.micros, row.currency)).join(" · ")}
          detail={data.receivablesDue.map((row) => `${count(row.invoices)} open invoices · ${formatMoney(row.overdueMicros, row.currency)} over 30 days`).join(" · ") || "No open invoices."}
          href="/reports/aging"
          testId="home-receivables"
        />
        <Stat label="Credits outstanding" value={moneyList(data.creditsOutstanding)} detail="Unused credit grants: a liability until burned or expired." href="/reports/credits" testId="home-credits" />
        <Stat
          label="Open discrepancies"
          value={count(data.openDiscrepancies)}
          detail={`${formatMoney(data.openDiscrepancyMicros)} in doubt between the ledger, Stripe and usage · ${count(data.creditRequestsWaiting)} credit requests waiting`}
          href="/health"
          testId="home-discrepancies"
          tone={data.openDiscrepancies > 0 ? "warning" : undefined}
        />
      </div>
    </Section>
  );
}

const healthVerdict = { ok: "Healthy", amber: "Needs a look", red: "Not healthy" } as const;

export function AdminSection({ data }: { data: AdminHome }) {
  const troubled = data.webhooks.failed + data.webhooks.parked;
  return (
    <Section title="Billing health" description="Is money flowing between Tally and Stripe?">
      <div className={grid}>
        <Stat
          label="Billing health (last hour)"
          value={healthVerdict[data.health.level]}
          detail={data.health.problems.length === 0 ? "Every figure is within its threshold." : data.health.problems.slice(0, 3).join(" · ")}
          href="/health"
          testId="home-health"
          tone={data.health.level === "ok" ? "good" : "warning"}
        />
        <Stat
          label="Stripe webhooks failing"
          value={count(troubled)}
          detail={`${count(data.webhooks.failed)} retrying, ${count(data.webhooks.parked)} parked · ${count(data.webhooks.pending)} pending${data.webhooks.oldestPendingAt ? ` since ${formatDateTime(data.webhooks.oldestPendingAt)}` : ""}`}
          href="/admin/webhooks"
          testId="home-webhooks"
          tone={troubled > 0 ? "warning" : undefined}
        />
        <Stat label="Stripe sync failures (7 days)" value={count(data.syncFailuresLast7Days)} href="/admin/webhooks/sync-failures" tone={data.syncFailuresLast7Days > 0 ? "warning" : undefined} />
        <Stat label="Invoices not yet in Stripe" value={count(data.invoicesAwaitingStripe)} detail={`${count(data.openDiscrepancies)} open reconciliation discrepancies`} href="/invoices" />
        <Stat
          label="Events in the last 24 hours"
          value={count(data.eventsLast24Hours.accepted)}
          detail={`${count(data.eventsLast24Hours.unknownCustomer)} for unknown customers`}
          href="/metering"
          testId="home-events"
        />
      </div>
    </Section>
  );
}

function sumDecimals(values: string[]): string {
  // Exact: scale every value to the longest fraction and add as bigints.
  const places = Math.max(0, ...values.map((value) => (value.split(".")[1] ?? "").length));
  const scale = 10n ** BigInt(places);
  let total = 0n;
  for (const value of values) {
    const [whole = "0", fraction = ""] = value.split(".");
    total += BigInt(whole) * scale + BigInt((fraction + "0".repeat(places)).slice(0, places) || "0");
  }
  const whole = total / scale;
  const fraction = places === 0 ? "" : (total % scale).toString().padStart(places, "0").replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : whole.toString();
}

function formatDecimal(value: string): string {
  const [whole = "0", fraction] = value.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return fraction ? `${grouped}.${fraction}` : grouped;
}
