"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ReasonDialog } from "@/components/console/action-dialog";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { NativeSelect } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { roles, type Role } from "@/db/schema/roles";
import { useTRPC } from "@/trpc/react";

type UserRow = { id: string; email: string; name: string; role: string; disabled: boolean };

export function UsersTable({ users, currentUserId }: { users: UserRow[]; currentUserId: string }) {
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
      <div className="rounded-lg border">
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Name</TableHead>
              <TableHead>Email</TableHead>
              <TableHead>Role</TableHead>
              <TableHead>Status</TableHead>
              <TableHead>
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {users.map((user) => (
              <TableRow key={user.id} data-testid={`user-row-${user.email}`}>
                <TableCell className="font-medium">{user.name}</TableCell>
                <TableCell>{user.email}</TableCell>
                <TableCell>
                  <NativeSelect
                    aria-label={`Role of ${user.email}`}
                    className="w-32"
                    value={pending?.user.id === user.id && pending.patch.role ? pending.patch.role : user.role}
                    disabled={user.id === currentUserId || update.isPending}
                    onChange={(event) => change(user.id, { role: event.target.value as Role })}
                  >
                    {roles.map((role) => (
                      <option key={role} value={role}>
                        {role}
                      </option>
                    ))}
                  </NativeSelect>
                </TableCell>
                <TableCell>{user.disabled ? <Badge variant="destructive">disabled</Badge> : <Badge variant="success">active</Badge>}</TableCell>
                <TableCell className="text-right">
                  {user.id === currentUserId ? (
                    <span className="text-xs text-muted-foreground">you</span>
                  ) : (
                    <Button size="sm" variant="outline" onClick={() => change(user.id, { disabled: !user.disabled })}>
                      {user.disabled ? "Enable" : "Disable"}
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
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
