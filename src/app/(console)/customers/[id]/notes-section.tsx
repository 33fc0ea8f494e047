import Link from "next/link";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { can } from "@/server/api/permissions";
import { formatDateTime } from "@/lib/format";
import { getServerApi } from "@/trpc/server";
import { AddNoteForm } from "./add-note-form";
import type { CustomerSectionProps } from "./sections";

/** Support's notes on the customer, newest first (the latest 20; every note is on the notes page and the audited timeline). */
export async function NotesSection({ customerId, role }: CustomerSectionProps) {
  const api = await getServerApi();
  const [page, total] = await Promise.all([api.customer.note.list({ customerId, limit: 20 }), api.customer.note.count({ customerId })]);
  return (
    <Card id="notes" data-testid="notes-section">
      <CardHeader>
        <CardTitle>Notes</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {page.items.length === 0 ? (
          <p className="text-sm text-muted-foreground">No notes yet.</p>
        ) : (
          <ol className="flex flex-col gap-3 text-sm" data-testid="customer-notes">
            {page.items.map((note) => (
              <li key={note.id} className="rounded-md border p-3">
                <p className="whitespace-pre-wrap">{note.body}</p>
                <p className="mt-1 text-xs text-muted-foreground">
                  {note.authorLabel}, {formatDateTime(note.createdAt)}
                </p>
              </li>
            ))}
          </ol>
        )}
        {total > 0 ? (
          <Link href={`/customers/${customerId}/notes`} className="text-sm underline-offset-4 hover:underline" data-testid="all-notes">
            {page.nextCursor ? `Showing the newest ${page.items.length}: all notes (${total.toLocaleString("en-US")}), searchable and exportable →` : `All notes (${total.toLocaleString("en-US")}), searchable and exportable →`}
          </Link>
        ) : null}
        {can(role, "customers.notes.write") ? <AddNoteForm customerId={customerId} /> : null}
      </CardContent>
    </Card>
  );
}
