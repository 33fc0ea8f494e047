"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { roles, type Role } from "@/db/schema/roles";
import { useTRPC } from "@/trpc/react";

const empty = { email: "", name: "", role: "support" as Role, password: "" };

export function CreateUserForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [form, setForm] = useState(empty);
  const create = useMutation(
    trpc.user.create.mutationOptions({
      onSuccess: () => {
        setForm(empty);
        router.refresh();
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ email: form.email, name: form.name, role: form.role, password: form.password || undefined });
  }

  return (
    <Card className="max-w-xl">
      <CardHeader>
        <CardTitle>Add a user</CardTitle>
      </CardHeader>
      <CardContent>
        <form onSubmit={submit} className="grid grid-cols-2 gap-3">
          {create.error ? <Alert variant="destructive" className="col-span-2">{describeError(create.error)}</Alert> : null}
          {create.isSuccess ? <Alert className="col-span-2">User added.</Alert> : null}
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="new-user-name">Name</Label>
            <Input id="new-user-name" required value={form.name} onChange={(event) => setForm({ ...form, name: event.target.value })} />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="new-user-email">Email</Label>
            <Input id="new-user-email" type="email" required value={form.email} onChange={(event) => setForm({ ...form, email: event.target.value })} />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="new-user-role">Role</Label>
            <NativeSelect id="new-user-role" value={form.role} onChange={(event) => setForm({ ...form, role: event.target.value as Role })}>
              {roles.map((role) => (
                <option key={role} value={role}>
                  {role}
                </option>
              ))}
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="new-user-password">Password (optional; SSO users leave it empty)</Label>
            <Input id="new-user-password" type="password" value={form.password} onChange={(event) => setForm({ ...form, password: event.target.value })} />
          </div>
          <Button type="submit" className="col-span-2 justify-self-start" disabled={create.isPending}>
            {create.isPending ? "Adding…" : "Add user"}
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
