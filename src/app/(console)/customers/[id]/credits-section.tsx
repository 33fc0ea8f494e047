import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDate, formatMoney } from "@/lib/format";
import { can } from "@/server/api/permissions";
import { grantLimits } from "@/server/grants/grant-schemas";
import { getServerApi } from "@/trpc/server";
import { ApplyPromotionForm } from "./apply-promotion-form";
import { IssueCreditDialog } from "./issue-credit-dialog";
import type { CustomerSectionProps } from "./sections";

const stateVariant = { active: "success", scheduled: "secondary", used: "outline", expired: "outline" } as const;

/** Credits: each grant with what is left of it (from the ledger), plus requests waiting for approval. */
export async function CreditsSection({ customerId, role }: CustomerSectionProps) {
  const api = await getServerApi();
  const [grants, pending, available] = await Promise.all([api.grant.list({ customerId }), api.grant.customerRequests({ customerId }), api.grant.available({ customerId })]);
  // Over every grant in effect, not only the newest the table lists.
  const totals = new Map(available.map((each) => [each.currency, each.availableMicros]));
  const currency = grants[0]?.currency ?? "usd";
  return (
    <Card data-testid="credits-section">
      <CardHeader className="flex flex-row flex-wrap items-center justify-between gap-2">
        <CardTitle>
          Credits{" "}
          <span className="ml-2 text-base font-normal text-muted-foreground" data-testid="credit-balance">
            {formatMoney(totals.get(currency) ?? 0n, currency)} available
          </span>
        </CardTitle>
        <div className="flex gap-2">{can(role, "grants.issue") ? <IssueCreditDialog customerId={customerId} /> : null}</div>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {pending.length > 0 ? (
          <p className="text-sm" data-testid="pending-credit-requests">
            Waiting for approval:{" "}
            {pending.map((request) => `${formatMoney(request.amountMicros, request.currency)} requested by ${request.requestedByLabel}`).join("; ")}
          </p>
        ) : null}
        {grants.length === 0 ? (
          <p className="text-sm text-muted-foreground">No credits yet.</p>
        ) : (
          <Table data-testid="grants-table">
            <TableHeader>
              <TableRow>
                <TableHead>Granted</TableHead>
                <TableHead>Remaining</TableHead>
                <TableHead>Category</TableHead>
                <TableHead>Source</TableHead>
                <TableHead>Applies to</TableHead>
                <TableHead>Expires</TableHead>
                <TableHead>State</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {grants.map((grant) => (
                <TableRow key={grant.id}>
                  <TableCell>{formatMoney(grant.amountMicros, grant.currency)}</TableCell>
                  <TableCell className="font-medium">{formatMoney(grant.remainingMicros, grant.currency)}</TableCell>
                  <TableCell>{grant.category}</TableCell>
                  <TableCell title={grant.reason}>{grant.source}</TableCell>
                  <TableCell>{grant.appliesTo === "all" ? "all usage" : [...grant.productKeys, ...grant.meterKeys].join(", ")}</TableCell>
                  <TableCell>{formatDate(grant.expiresAt)}</TableCell>
                  <TableCell>
                    <Badge variant={stateVariant[grant.state]}>{grant.state}</Badge>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        {grants.length > 0 ? (
          <Link href={`/customers/${customerId}/credits`} className="text-sm underline-offset-4 hover:underline" data-testid="all-credit-grants">
            {grants.length >= grantLimits.listMax ? `Showing the newest ${grantLimits.listMax}: every grant, filtered and exportable →` : "Every grant, filtered and exportable →"}
          </Link>
        ) : null}
        {can(role, "promotions.apply") ? <ApplyPromotionForm customerId={customerId} /> : null}
      </CardContent>
    </Card>
  );
}
