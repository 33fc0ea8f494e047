import Link from "next/link";
import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { can } from "@/server/api/permissions";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { unknownSubjectsView } from "@/server/api/lists/unknown-subject-lists";
import { getServerApi } from "@/trpc/server";
import { UnknownSubjectsDataTable } from "./unknown-subjects-data-table";

/** Every subject whose events named no customer, paged, sorted, filtered and exported. */
export default async function UnknownSubjectsPage({ searchParams }: { searchParams: Promise<UrlParams> }) {
  const user = await requirePermission("metering.read");
  const view = parseView(unknownSubjectsView, await searchParams);
  const input = view.ok ? view.input : unknownSubjectsView.parse({});
  const api = await getServerApi();
  const { page, error } = await loadView(input, (next) => api.metering.unknownSubjectsView({ ...next, limit: 50 }));
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        title="Unknown subjects"
        description={
          <>
            Events whose subject named no customer when they arrived (all time), per subject, counted as they are rolled up (seconds after they arrive). They are stored and rolled up under the subject; once a
            customer with that external id exists, attach them. From{" "}
            <Link href="/metering" className="underline underline-offset-4">
              Ingestion
            </Link>
            .
          </>
        }
      />
      <UnknownSubjectsDataTable
        rows={page.items.map((each) => ({
          subject: each.subject,
          events: each.events,
          firstOccurredAt: each.firstOccurredAt.toISOString(),
          lastOccurredAt: each.lastOccurredAt.toISOString(),
          customer: each.customer,
        }))}
        nextCursor={page.nextCursor}
        canAttach={can(user.role, "customers.write")}
        error={view.ok ? error : `${view.message} (showing every subject)`}
        emptyMessage={input.search || input.customer ? "No subject matches this view." : "Every stored event belongs to a known customer."}
      />
    </div>
  );
}
