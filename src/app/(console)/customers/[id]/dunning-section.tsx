import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime, formatMoney } from "@/lib/format";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import { DunningActions } from "./dunning-actions";
import type { CustomerSectionProps } from "./sections";

const statusVariant = { open: "warning", recovered: "outline", written_off: "destructive", canceled: "secondary" } as const;

/** "Payment recovery": the customer's failed invoices being retried, their timeline and support actions. */
export async function DunningSection({ customerId, role }: CustomerSectionProps) {
  const api = await getServerApi();
  const view = await api.dunning.get({ customerId });
  return (
    <Card data-testid="dunning-section">
      <CardHeader>
        <CardTitle>Payment recovery</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-6 text-sm">
        {view.restriction ? (
          <p>
            <Badge variant="destructive">restricted ({view.restriction.scope.replace("_", "-")})</Badge> <span className="text-muted-foreground">{view.restriction.reason}</span>
          </p>
        ) : null}
        {view.cases.length === 0 ? <p className="text-muted-foreground">No failed payments.</p> : null}
        {view.cases.map((dunningCase) => (
          <section key={dunningCase.id} className="flex flex-col gap-3" aria-label={`Invoice ${dunningCase.stripeInvoiceId}`}>
            <dl className="grid grid-cols-2 gap-x-8 gap-y-2 md:grid-cols-4">
              <dt className="text-muted-foreground">Invoice</dt>
              <dd className="font-mono text-xs">{dunningCase.stripeInvoiceId}</dd>
              <dt className="text-muted-foreground">Status</dt>
              <dd>
                <Badge variant={statusVariant[dunningCase.status]}>{dunningCase.status.replace("_", " ")}</Badge>
              </dd>
              <dt className="text-muted-foreground">Attempts</dt>
              <dd>{dunningCase.attemptCount}</dd>
              <dt className="text-muted-foreground">Next retry</dt>
              <dd>{dunningCase.nextRetryAt ? formatDateTime(dunningCase.nextRetryAt) : "none scheduled"}</dd>
              <dt className="text-muted-foreground">Amount due</dt>
              <dd>{formatMoney(dunningCase.amountDueMicros, dunningCase.currency)}</dd>
              <dt className="text-muted-foreground">Grace ends</dt>
              <dd>{formatDateTime(dunningCase.graceEndsAt)}</dd>
              <dt className="text-muted-foreground">Restricted</dt>
              <dd>{dunningCase.restrictedAt ? formatDateTime(dunningCase.restrictedAt) : "no"}</dd>
              {dunningCase.writtenOffMicros !== null ? (
                <>
                  <dt className="text-muted-foreground">Written off</dt>
                  <dd>{formatMoney(dunningCase.writtenOffMicros, dunningCase.currency)}</dd>
                </>
              ) : null}
            </dl>
            {dunningCase.status === "open" && can(role, "dunning.manage") ? <DunningActions caseId={dunningCase.id} hasInvoiceLink={dunningCase.hostedInvoiceUrl !== null} /> : null}
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>When</TableHead>
                  <TableHead>What</TableHead>
                  <TableHead>By</TableHead>
                  <TableHead>Reason</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {dunningCase.events.map((event) => (
                  <TableRow key={event.id}>
                    <TableCell>{formatDateTime(event.occurredAt)}</TableCell>
                    <TableCell>
                      {event.kind.replaceAll("_", " ")}
                      {event.attempt !== null ? ` (attempt ${event.attempt})` : ""}
                    </TableCell>
                    <TableCell className="font-mono text-xs">{event.actor}</TableCell>
                    <TableCell>{event.reason ?? ""}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </section>
        ))}
      </CardContent>
    </Card>
  );
}
