import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime } from "@/lib/format";
import { getServerApi } from "@/trpc/server";

type SearchParams = { action?: string; objectType?: string; objectId?: string; actorId?: string; cursor?: string };

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requirePermission("audit.read");
  const params = await searchParams;
  const filters = {
    action: params.action || undefined,
    objectType: params.objectType || undefined,
    objectId: params.objectId || undefined,
    actorId: params.actorId || undefined,
  };
  const api = await getServerApi();
  const page = await api.audit.list({ ...filters, cursor: params.cursor, limit: 50 });
  const query = Object.fromEntries(Object.entries(filters).filter((entry): entry is [string, string] => Boolean(entry[1])));
  return (
    <div>
      <PageHeader title="Audit log" description="Every change made by a person, an API key or Tally itself. Nothing here can be edited." />
      <form className="mb-4 grid max-w-4xl grid-cols-5 gap-2" action="/admin/audit">
        <Input name="action" placeholder="Action, e.g. user.update" defaultValue={params.action ?? ""} aria-label="Action" />
        <Input name="objectType" placeholder="Object type" defaultValue={params.objectType ?? ""} aria-label="Object type" />
        <Input name="objectId" placeholder="Object id" defaultValue={params.objectId ?? ""} aria-label="Object id" />
        <Input name="actorId" placeholder="Actor id" defaultValue={params.actorId ?? ""} aria-label="Actor id" />
        <Button type="submit">Filter</Button>
      </form>
      {page.items.length === 0 ? (
        <div className="rounded-lg border border-dashed p-10 text-center text-sm text-muted-foreground">No entries match these filters.</div>
      ) : (
        <div className="rounded-lg border">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>When</TableHead>
                <TableHead>Who</TableHead>
                <TableHead>Action</TableHead>
                <TableHead>Object</TableHead>
                <TableHead>Reason</TableHead>
                <TableHead>Change</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody data-testid="audit-table">
              {page.items.map((entry) => (
                <TableRow key={entry.id.toString()}>
                  <TableCell className="whitespace-nowrap">{formatDateTime(entry.occurredAt)}</TableCell>
                  <TableCell>
                    {entry.actorLabel} <span className="text-xs text-muted-foreground">({entry.actorType})</span>
                  </TableCell>
                  <TableCell className="font-mono text-xs">{entry.action}</TableCell>
                  <TableCell className="font-mono text-xs">
                    {entry.objectType}:{entry.objectId}
                  </TableCell>
                  <TableCell>{entry.reason ?? "—"}</TableCell>
                  <TableCell className="max-w-sm truncate font-mono text-xs" title={JSON.stringify({ before: entry.before, after: entry.after })}>
                    {entry.after ? JSON.stringify(entry.after) : "—"}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      {page.nextCursor ? (
        <Button asChild variant="outline" size="sm" className="mt-4">
          <Link href={`/admin/audit?${new URLSearchParams({ ...query, cursor: page.nextCursor })}`}>Older entries</Link>
        </Button>
      ) : null}
    </div>
  );
}
