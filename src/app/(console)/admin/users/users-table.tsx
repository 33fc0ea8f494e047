"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
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
  const [reason, setReason] = useState("");

  function change(userId: string, patch: { role?: Role; disabled?: boolean }) {
    const why = window.prompt("Why are you making this change? (recorded in the audit log)", reason);
    if (!why) return;
    setReason(why);
    update.mutate({ userId, ...patch, reason: why });
  }

  return (
    <div className="flex flex-col gap-3">
      {update.error ? <Alert variant="destructive">{describeError(update.error)}</Alert> : null}
      <div className="rounded-lg border">
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Name</TableHead>
              <TableHead>Email</TableHead>
              <TableHead>Role</TableHead>
              <TableHead>Status</TableHead>
              <TableHead />
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
                    value={user.role}
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
