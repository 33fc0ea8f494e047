import Link from "next/link";
import { orNotFound } from "@/components/console/or-not-found";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { customerNotesView } from "@/server/api/lists/customer-lists";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { can } from "@/server/api/permissions";
import { getServerApi } from "@/trpc/server";
import { AddNoteForm } from "../add-note-form";
import { NotesTable } from "./notes-table";

/** Every support note on one customer, searchable by author and words, exportable. */
export default async function CustomerNotesPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<UrlParams> }) {
  const user = await requirePermission("customers.read");
  const { id } = await params;
  const api = await getServerApi();
  const customer = await orNotFound(api.customer.get({ id }));
  const view = parseView(customerNotesView, await searchParams, { customer: customer.id });
  const input = view.ok ? view.input : customerNotesView.parse({ customer: customer.id });
  const [{ page, error }, authors] = await Promise.all([loadView(input, (next) => api.customer.note.listView({ ...next, limit: 50 })), api.customer.note.authors({ customerId: customer.id })]);
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Notes"
        description={
          <Link href={`/customers/${customer.id}`} className="underline-offset-4 hover:underline">
            {customer.name}
          </Link>
        }
      />
      <NotesTable
        customerId={customer.id}
        rows={page.items}
        nextCursor={page.nextCursor}
        authors={authors}
        error={view.ok ? error : `${view.message} (showing every note)`}
        emptyMessage={input.search || input.author ? "No note matches this view." : "No notes yet."}
      />
      {can(user.role, "customers.notes.write") ? <AddNoteForm customerId={customer.id} /> : null}
    </div>
  );
}
