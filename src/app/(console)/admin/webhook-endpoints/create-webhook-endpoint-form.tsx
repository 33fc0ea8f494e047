"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { useTRPC } from "@/trpc/react";

type EventType = string;

/** Registers an endpoint: URL, description, events (all or some); shows the new signing secret once it exists (also on the endpoint's page). */
export function CreateWebhookEndpointForm({ eventTypes }: { eventTypes: readonly EventType[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [all, setAll] = useState(true);
  const [chosen, setChosen] = useState<string[]>([]);
  const [reason, setReason] = useState("");
  const [created, setCreated] = useState<{ id: string; secret: string } | null>(null);
  const create = useMutation(
    trpc.webhookEndpoint.create.mutationOptions({
      onSuccess: (endpoint) => {
        setCreated({ id: endpoint.id, secret: endpoint.secret });
        setUrl("");
        setDescription("");
        setReason("");
        toast.success("Endpoint registered: give its secret to the receiver.");
        router.refresh();
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ url, description, eventTypes: (all ? ["*"] : chosen) as never, reason });
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Register an endpoint</CardTitle>
        <CardDescription>The product verifies each delivery with the endpoint&apos;s secret (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature) and dedupes on webhook-id.</CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={submit} className="flex max-w-2xl flex-col gap-3">
          {create.error ? <Alert variant="destructive">{describeError(create.error)}</Alert> : null}
          {created ? (
            <Alert data-testid="webhook-endpoint-secret">
              Signing secret: <code className="break-all font-mono text-xs">{created.secret}</code>
            </Alert>
          ) : null}
          <Label htmlFor="webhook-url">URL</Label>
          <Input id="webhook-url" type="url" required placeholder="https://app.example.com/hooks/tally" value={url} onChange={(event) => setUrl(event.target.value)} />
          <Label htmlFor="webhook-description">Description</Label>
          <Input id="webhook-description" maxLength={500} value={description} onChange={(event) => setDescription(event.target.value)} />
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-1 text-sm font-medium">Events</legend>
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={all} onChange={(event) => setAll(event.target.checked)} /> All events (including ones added later)
            </label>
            {!all ? (
              <div className="grid grid-cols-1 gap-1 sm:grid-cols-2">
                {eventTypes.map((type) => (
                  <label key={type} className="flex items-center gap-2 font-mono text-xs">
                    <input type="checkbox" checked={chosen.includes(type)} onChange={(event) => setChosen(event.target.checked ? [...chosen, type] : chosen.filter((item) => item !== type))} />
                    {type}
                  </label>
                ))}
              </div>
            ) : null}
          </fieldset>
          <Label htmlFor="webhook-reason">Reason</Label>
          <Textarea id="webhook-reason" required minLength={3} value={reason} onChange={(event) => setReason(event.target.value)} />
          <Button type="submit" disabled={create.isPending || (!all && chosen.length === 0)}>
            {create.isPending ? "Registering…" : "Register endpoint"}
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
