import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { NativeSelect } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDate } from "@/lib/format";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import { NewCustomerDialog } from "./new-customer-dialog";

type SearchParams = { q?: string; kind?: string; cursor?: string };

export default async function CustomersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requirePermission("customers.read");
  const params = await searchParams;
  const kind = params.kind === "individual" || params.kind === "team" ? params.kind : undefined;
  const api = await getServerApi();
  const page = await api.customer.list({ search: params.q?.slice(0, 200), kind, cursor: params.cursor, limit: 25 });
  const nextHref = page.nextCursor
    ? `/customers?${new URLSearchParams({ ...(params.q ? { q: params.q } : {}), ...(kind ? { kind } : {}), cursor: page.nextCursor })}`
    : null;
  return (
    <div>
      <PageHeader title="Customers" description="Search by name, email or external id." actions={can(user.role, "customers.write") ? <NewCustomerDialog /> : null} />
      <form className="mb-4 flex max-w-2xl gap-2" role="search" action="/customers">
        <Input name="q" defaultValue={params.q ?? ""} placeholder="Name, email or external id" aria-label="Search customers" />
        <NativeSelect name="kind" defaultValue={kind ?? ""} aria-label="Kind" className="w-40">
          <option value="">All kinds</option>
          <option value="individual">Individuals</option>
          <option value="team">Teams</option>
        </NativeSelect>
        <Button type="submit">Search</Button>
      </form>
      {page.items.length === 0 ? (
        <div className="rounded-lg border border-dashed p-10 text-center text-sm text-muted-foreground" data-testid="customers-empty">
          {params.q ? `No customer matches “${params.q}”.` : "No customers yet. Run npm run db:seed to load the demo data."}
        </div>
      ) : (
        <div className="rounded-lg border">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Email</TableHead>
                <TableHead>External id</TableHead>
                <TableHead>Kind</TableHead>
                <TableHead>Since</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody data-testid="customers-table">
              {page.items.map((customer) => (
                <TableRow key={customer.id}>
                  <TableCell className="font-medium">
                    <Link className="hover:underline" href={`/customers/${customer.id}`}>
                      {customer.name}
                    </Link>
                  </TableCell>
                  <TableCell>{customer.email}</TableCell>
                  <TableCell className="font-mono text-xs">{customer.externalId}</TableCell>
                  <TableCell>
                    <Badge variant={customer.kind === "team" ? "default" : "secondary"}>{customer.kind}</Badge>
                  </TableCell>
                  <TableCell>{formatDate(customer.createdAt)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      <div className="mt-4 flex gap-2">
        {params.cursor ? (
          <Button asChild variant="outline" size="sm">
            <Link href={`/customers?${new URLSearchParams({ ...(params.q ? { q: params.q } : {}), ...(kind ? { kind } : {}) })}`}>First page</Link>
          </Button>
        ) : null}
        {nextHref ? (
          <Button asChild variant="outline" size="sm">
            <Link href={nextHref}>Next page</Link>
          </Button>
        ) : null}
      </div>
    </div>
  );
}
