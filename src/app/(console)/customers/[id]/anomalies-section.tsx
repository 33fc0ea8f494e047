import Link from "next/link";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDateTime, formatMoney } from "@/lib/format";
import { getServerApi } from "@/trpc/server";
import { AnomalySeverityStatus } from "../../anomalies/anomaly-list-parts";
import type { CustomerSectionProps } from "./sections";

const shownMax = 10;

/** At the top of the customer page: what detection found and nobody has closed yet. Nothing when there is nothing. */
export async function AnomaliesSection({ customerId }: CustomerSectionProps) {
  const api = await getServerApi();
  const page = await api.anomaly.listView({ customer: customerId, status: "active", limit: shownMax });
  if (page.items.length === 0) return null;
  const externalId = page.items[0]?.customer?.externalId;
  return (
    <Card data-testid="customer-anomalies" className="border-warning">
      <CardHeader>
        <CardTitle>Open anomalies</CardTitle>
      </CardHeader>
      <CardContent>
        <ul className="flex flex-col gap-2 text-sm">
          {page.items.map((item) => (
            <li key={item.id} className="flex flex-wrap items-center gap-3">
              <AnomalySeverityStatus severity={item.severity} status={item.status} />
              <Link href={`/anomalies/${item.id}`} className="font-medium underline-offset-4 hover:underline">
                {item.title}
              </Link>
              <span className="tabular-nums text-muted-foreground">{item.impactMicros === null ? "" : formatMoney(item.impactMicros, item.currency)}</span>
              <span className="text-xs text-muted-foreground">{formatDateTime(item.firstDetectedAt)}</span>
            </li>
          ))}
        </ul>
        {page.nextCursor && externalId ? (
          <Link href={`/anomalies?customer=${encodeURIComponent(externalId)}`} className="mt-3 inline-block text-sm underline-offset-4 hover:underline">
            All of this customer&apos;s anomalies →
          </Link>
        ) : null}
      </CardContent>
    </Card>
  );
}
