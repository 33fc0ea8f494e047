"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ReasonDialog } from "@/components/console/action-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { NativeSelect } from "@/components/ui/select";
import { DataTable, type DataTableColumn } from "@/components/data-table/data-table";
import { roles, type Role } from "@/db/schema/roles";
import { formatDateTime } from "@/lib/format";
import { useTRPC } from "@/trpc/react";

type UserRow = { id: string; email: string; name: string; role: string; disabled: boolean; createdAt: Date };

export function UsersTable(props: { users: UserRow[]; currentUserId: string; nextCursor: string | null; error: string | null; emptyMessage: string }) {
  const { users, currentUserId } = props;
  const trpc = useTRPC();
  const router = useRouter();
  const update = useMutation(trpc.user.update.mutationOptions({ onSuccess: () => router.refresh() }));
  // The change waiting for its reason; the dialog is open while there is one.
  const [pending, setPending] = useState<{ user: UserRow; patch: { role?: Role; disabled?: boolean } } | null>(null);

  function change(userId: string, patch: { role?: Role; disabled?: boolean }) {
    const user = users.find((row) => row.id === userId);
    if (user) setPending({ user, patch });
  }

  const what = pending ? describeChange(pending.user, pending.patch) : null;
  const columns: DataTableColumn<UserRow>[] = [
    { id: "name", meta: { label: "Name", sortable: true }, cell: ({ row }) => <span className="font-medium">{row.original.name}</span> },
    { id: "email", meta: { label: "Email", sortable: true }, cell: ({ row }) => row.original.email },
    {
      id: "role",
      meta: { label: "Role" },
      cell: ({ row }) => (
        <NativeSelect
          aria-label={`Role of ${row.original.email}`}
          className="w-32"
          value={pending?.user.id === row.original.id && pending.patch.role ? pending.patch.role : row.original.role}
          disabled={row.original.id === currentUserId || update.isPending}
          onChange={(event) => change(row.original.id, { role: event.target.value as Role })}
        >
          {roles.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </NativeSelect>
      ),
    },
    { id: "status", meta: { label: "Status" }, cell: ({ row }) => (row.original.disabled ? <Badge variant="destructive">disabled</Badge> : <Badge variant="success">active</Badge>) },
    { id: "created", meta: { label: "Added", sortable: true }, cell: ({ row }) => <span className="whitespace-nowrap">{formatDateTime(row.original.createdAt)}</span> },
    {
      id: "actions",
      meta: { label: "Actions", align: "right" },
      cell: ({ row }) =>
        row.original.id === currentUserId ? (
          <span className="text-xs text-muted-foreground">you</span>
        ) : (
          <Button size="sm" variant="outline" onClick={() => change(row.original.id, { disabled: !row.original.disabled })}>
            {row.original.disabled ? "Enable" : "Disable"}
          </Button>
        ),
    },
  ];

  return (
    <div className="flex flex-col gap-3">
      <ReasonDialog
        key={pending ? `${pending.user.id}:${JSON.stringify(pending.patch)}` : "closed"}
        open={pending !== null}
        onOpenChange={(open) => {
          if (!open) setPending(null);
        }}
        title={what?.title ?? ""}
        description={what?.description ?? ""}
        destructive={pending?.patch.disabled === true}
        confirmLabel={what?.confirmLabel ?? "Save"}
        successMessage={what?.success}
        onConfirm={(reason) => (pending ? update.mutateAsync({ userId: pending.user.id, ...pending.patch, reason }) : Promise.resolve())}
      />
      <DataTable
        name="users"
        caption="Users"
        columns={columns}
        rows={users}
        getRowId={(user) => user.id}
        rowTestId={(user) => `user-row-${user.email}`}
        nextCursor={props.nextCursor}
        defaultSort={{ id: "email", direction: "asc" }}
        search={{ label: "Search users", placeholder: "Part of a name or email" }}
        filters={[
          { id: "role", label: "Role", options: roles.map((role) => ({ value: role, label: role })) },
          { id: "status", label: "Status", options: [{ value: "active", label: "Active" }, { value: "disabled", label: "Disabled" }] },
        ]}
        exportPath="/api/lists/users/export"
        error={props.error}
        emptyMessage={props.emptyMessage}
      />
    </div>
  );
}

function describeChange(user: UserRow, patch: { role?: Role; disabled?: boolean }) {
  if (patch.role) {
    return {
      title: `Make ${user.email} ${patch.role}?`,
      description: `${user.name} moves from ${user.role} to ${patch.role}: what they can see and do changes on their next request.`,
      confirmLabel: `Change role to ${patch.role}`,
      success: `${user.email} is now ${patch.role}.`,
    };
  }
  return patch.disabled
    ? {
        title: `Disable ${user.email}?`,
        description: `${user.name} is signed out on their next request and cannot sign in until an admin enables them again.`,
        confirmLabel: "Disable user",
        success: `${user.email} is disabled.`,
      }
    : {
        title: `Enable ${user.email}?`,
        description: `${user.name} can sign in again with their role (${user.role}).`,
        confirmLabel: "Enable user",
        success: `${user.email} is enabled.`,
      };
}
