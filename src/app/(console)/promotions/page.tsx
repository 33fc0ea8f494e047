import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDate, formatMoney } from "@/lib/format";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import { describeEffect, statusVariant } from "./describe-effect";

export default async function PromotionsPage() {
  const user = await requirePermission("promotions.read");
  const api = await getServerApi();
  const promotions = await api.promotion.list({});
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Promotions"
        description="Credits, discounts and allowances given by codes. Money columns come from the ledger."
        actions={
          can(user.role, "promotions.write") ? (
            <Button asChild>
              <Link href="/promotions/new">New promotion</Link>
            </Button>
          ) : null
        }
      />
      <Card>
        <CardContent className="pt-6">
          {promotions.length === 0 ? (
            <p className="text-sm text-muted-foreground">No promotions yet.</p>
          ) : (
            <Table data-testid="promotions-table">
              <TableHeader>
                <TableRow>
                  <TableHead>Name</TableHead>
                  <TableHead>Status</TableHead>
                  <TableHead>Effect</TableHead>
                  <TableHead>Window</TableHead>
                  <TableHead>Redemptions</TableHead>
                  <TableHead>Credits granted</TableHead>
                  <TableHead>Burned</TableHead>
                  <TableHead>Cost so far</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {promotions.map((promotion) => {
                  const currency = promotion.stats.currency ?? "usd";
                  return (
                    <TableRow key={promotion.id}>
                      <TableCell>
                        <Link className="font-medium underline" href={`/promotions/${promotion.id}`}>
                          {promotion.name}
                        </Link>
                      </TableCell>
                      <TableCell>
                        <Badge variant={statusVariant[promotion.status]}>{promotion.status}</Badge>
                      </TableCell>
                      <TableCell>{describeEffect(promotion.effect)}</TableCell>
                      <TableCell>
                        {formatDate(promotion.startsAt)} → {promotion.endsAt ? formatDate(promotion.endsAt) : "open"}
                      </TableCell>
                      <TableCell>
                        {promotion.stats.redemptions}
                        {promotion.maxRedemptions === null ? "" : ` / ${promotion.maxRedemptions}`}
                      </TableCell>
                      <TableCell>{formatMoney(promotion.stats.grantedMicros, currency)}</TableCell>
                      <TableCell>{formatMoney(promotion.stats.burnedMicros, currency)}</TableCell>
                      <TableCell>{formatMoney(promotion.stats.costMicros, currency)}</TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
