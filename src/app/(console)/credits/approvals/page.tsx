import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Card, CardContent } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime, formatDate, formatMoney } from "@/lib/format";
import { getServerApi } from "@/trpc/server";
import { DecisionForm } from "./decision-form";

export default async function CreditApprovalsPage() {
  const user = await requirePermission("grants.approve");
  const api = await getServerApi();
  const pending = await api.grant.requests({ status: "pending" });
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Credit approvals" description="Credits above the requester's limit wait here. You cannot decide your own requests." />
      <Card>
        <CardContent className="pt-6">
          {pending.length === 0 ? (
            <p className="text-sm text-muted-foreground">No credit requests are waiting for approval.</p>
          ) : (
            <Table data-testid="approvals-table">
              <TableHeader>
                <TableRow>
                  <TableHead>Customer</TableHead>
                  <TableHead>Amount</TableHead>
                  <TableHead>Reason</TableHead>
                  <TableHead>Requested</TableHead>
                  <TableHead>Expires</TableHead>
                  <TableHead>Decision</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {pending.map((request) => (
                  <TableRow key={request.id} data-testid={`approval-${request.id}`}>
                    <TableCell>
                      <Link className="underline" href={`/customers/${request.customerId}`}>
                        {request.customerName}
                      </Link>
                    </TableCell>
                    <TableCell className="font-medium">
                      {formatMoney(request.amountMicros, request.currency)}
                      <div className="text-xs text-muted-foreground">limit {formatMoney(request.limitMicros, request.currency)}</div>
                    </TableCell>
                    <TableCell className="max-w-xs whitespace-normal">{request.reason}</TableCell>
                    <TableCell>
                      {request.requestedByLabel}
                      <div className="text-xs text-muted-foreground">{formatDateTime(request.createdAt)}</div>
                    </TableCell>
                    <TableCell>{formatDate(request.expiresAt)}</TableCell>
                    <TableCell>
                      {request.requestedBy === user.id ? (
                        <span className="text-sm text-muted-foreground">Your own request: another approver decides.</span>
                      ) : (
                        <DecisionForm creditRequestId={request.id} customerName={request.customerName} amountLabel={formatMoney(request.amountMicros, request.currency)} />
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
