import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDate } from "@/lib/format";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import type { CustomerSectionProps } from "./sections";
import { UsageChart, type UsagePeriodOption } from "./usage-chart";

const hourMs = 3_600_000;
const floorHour = (date: Date) => new Date(Math.floor(date.getTime() / hourMs) * hourMs);
const ceilHour = (date: Date) => new Date(Math.ceil(date.getTime() / hourMs) * hourMs);
function monthsBefore(date: Date, months: number): Date {
  const result = new Date(date);
  result.setUTCMonth(result.getUTCMonth() - months);
  return result;
}

export async function UsageSection({ customerId, role }: CustomerSectionProps) {
  const api = await getServerApi();
  const [meters, subscription] = await Promise.all([
    can(role, "catalog.read") ? api.catalog.meter.list() : Promise.resolve([]),
    can(role, "billing.read") ? api.subscription.get({ customerId }) : Promise.resolve(null),
  ]);
  // Usage queries take whole UTC hours (the rollup window); the last bucket ends after now so today shows.
  const now = new Date();
  const periods: UsagePeriodOption[] = [];
  if (subscription) {
    const { start, end } = subscription.currentPeriod;
    periods.push({
      key: "period",
      label: `Current billing period (${formatDate(start)} → ${formatDate(end)})`,
      from: floorHour(start).toISOString(),
      to: ceilHour(end).toISOString(),
    });
    // Earlier billing periods (monthly plans: the same anchor a month at a time), for "what did they use in March?".
    for (let back = 1; back <= 6; back += 1) {
      const from = monthsBefore(start, back);
      const until = monthsBefore(start, back - 1);
      periods.push({ key: `period-${back}`, label: `Billing period ${formatDate(from)} → ${formatDate(until)}`, from: floorHour(from).toISOString(), to: floorHour(until).toISOString() });
    }
  }
  const to = new Date(floorHour(now).getTime() + hourMs);
  periods.push({ key: "30d", label: "Last 30 days", from: new Date(to.getTime() - 30 * 24 * hourMs).toISOString(), to: to.toISOString() });
  return (
    <Card data-testid="usage-section">
      <CardHeader>
        <CardTitle>Usage</CardTitle>
        <CardDescription>Per meter and day (UTC), from the hourly rollups, which trail ingestion by seconds.</CardDescription>
      </CardHeader>
      <CardContent>
        {meters.length === 0 ? (
          <p className="text-sm text-muted-foreground">The catalog has no meters yet, so there is no usage to show.</p>
        ) : (
          <UsageChart
            customerId={customerId}
            meters={meters.map((meter) => ({ key: meter.key, name: meter.name, unit: meter.unit, aggregation: meter.aggregation, groupBy: meter.groupBy }))}
            periods={periods}
          />
        )}
      </CardContent>
    </Card>
  );
}
