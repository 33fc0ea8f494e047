import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { usersView } from "@/server/api/lists/admin-lists";
import { loadView, parseView, type UrlParams } from "@/server/api/lists/list-view";
import { getServerApi } from "@/trpc/server";
import { CreateUserForm } from "./create-user-form";
import { UsersTable } from "./users-table";

export default async function UsersPage({ searchParams }: { searchParams: Promise<UrlParams> }) {
  const me = await requirePermission("users.manage");
  const view = parseView(usersView, await searchParams);
  const input = view.ok ? view.input : usersView.parse({});
  const api = await getServerApi();
  const { page, error } = await loadView(input, (next) => api.user.listView({ ...next, limit: 50 }));
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Users & roles" description="Who can sign in to the console, and what their role lets them do." />
      <UsersTable
        users={page.items}
        currentUserId={me.id}
        nextCursor={page.nextCursor}
        error={view.ok ? error : `${view.message} (showing every user)`}
        emptyMessage={input.search || input.role || input.status ? "No user matches this view." : "No users yet."}
      />
      <CreateUserForm />
    </div>
  );
}
