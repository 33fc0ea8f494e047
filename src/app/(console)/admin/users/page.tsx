import { PageHeader } from "@/components/console/page-header";
import { requirePermission } from "@/components/console/require-permission";
import { getServerApi } from "@/trpc/server";
import { CreateUserForm } from "./create-user-form";
import { UsersTable } from "./users-table";

export default async function UsersPage() {
  const me = await requirePermission("users.manage");
  const api = await getServerApi();
  const users = await api.user.list();
  return (
    <div className="flex flex-col gap-6">
      <PageHeader title="Users & roles" description="Who can sign in to the console, and what their role lets them do." />
      <UsersTable users={users} currentUserId={me.id} />
      <CreateUserForm />
    </div>
  );
}
