"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import type { ApiKeyScope } from "@/db/schema/api-keys";
import { useTRPC } from "@/trpc/react";

const scopeHelp: Record<ApiKeyScope, string> = {
  ingest: "send usage events (POST /api/v1/events)",
  entitlements: "check and reserve entitlements, redeem promotion codes",
  read: "read customers, subscriptions, invoices, credits, usage and plans",
  "customers:write": "create, update and archive customers; payment setup links",
  "subscriptions:write": "start, change, cancel and resume subscriptions; spend limits",
  "credits:write": "issue purchased credits",
};

const empty = { name: "", scopes: ["ingest"] as ApiKeyScope[], reason: "" };

/** `scopes` come from the server so the schema module stays out of the browser bundle. */
export function CreateApiKeyForm({ scopes }: { scopes: readonly ApiKeyScope[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [form, setForm] = useState(empty);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const create = useMutation(
    trpc.apiKey.create.mutationOptions({
      onSuccess: (result) => {
        setCreated({ name: result.apiKey.name, key: result.key });
        setCopied(false);
        setForm(empty);
        router.refresh();
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate(form);
  }

  function toggle(scope: ApiKeyScope, checked: boolean) {
    setForm({ ...form, scopes: checked ? [...form.scopes, scope] : form.scopes.filter((each) => each !== scope) });
  }

  async function copy(key: string) {
    // The clipboard API exists only on https and localhost; elsewhere the key stays selectable.
    try {
      await navigator.clipboard.writeText(key);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  return (
    <Card className="max-w-xl">
      <CardHeader>
        <CardTitle>Create an API key</CardTitle>
        <CardDescription>The key is shown once, right after you create it. Creating and revoking keys is recorded in the audit log.</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={submit} className="flex flex-col gap-3">
          {create.error ? <Alert variant="destructive">{describeError(create.error)}</Alert> : null}
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="api-key-name">Name</Label>
            <Input id="api-key-name" required maxLength={100} placeholder="edge-gateway (production)" value={form.name} onChange={(event) => setForm({ ...form, name: event.target.value })} />
          </div>
          <fieldset className="flex flex-col gap-1.5">
            <legend className="mb-1.5 text-sm font-medium">Scopes</legend>
            {scopes.map((scope) => (
              <label key={scope} className="flex items-center gap-2 text-sm">
                <input type="checkbox" name="scopes" value={scope} checked={form.scopes.includes(scope)} onChange={(event) => toggle(scope, event.target.checked)} />
                <span className="font-mono">{scope}</span>
                <span className="text-muted-foreground">— {scopeHelp[scope]}</span>
              </label>
            ))}
          </fieldset>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="api-key-reason">Reason</Label>
            <Textarea id="api-key-reason" required value={form.reason} onChange={(event) => setForm({ ...form, reason: event.target.value })} />
          </div>
          <Button type="submit" className="self-start" disabled={create.isPending || form.scopes.length === 0}>
            {create.isPending ? "Creating…" : "Create key"}
          </Button>
        </form>
      </CardContent>
      <Dialog open={created !== null} onOpenChange={(open) => (open ? null : setCreated(null))}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>API key “{created?.name}” created</DialogTitle>
            <DialogDescription>Copy it now and store it in your secret manager.</DialogDescription>
          </DialogHeader>
          <Alert variant="destructive">This key will not be shown again. Only its prefix is kept; if you lose it, revoke it and create a new one.</Alert>
          <code data-testid="new-api-key" className="select-all break-all rounded-md border bg-muted px-3 py-2 font-mono text-sm">
            {created?.key}
          </code>
          <div className="flex gap-2">
            <Button type="button" onClick={() => created && void copy(created.key)}>
              {copied ? "Copied" : "Copy key"}
            </Button>
            <Button type="button" variant="outline" onClick={() => setCreated(null)}>
              Done
            </Button>
          </div>
        </DialogContent>
      </Dialog>
    </Card>
  );
}
