"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { useTRPC } from "@/trpc/react";

/** Apply a promotion code for the customer; a refusal says why in words. */
export function ApplyPromotionForm({ customerId }: { customerId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [code, setCode] = useState("");
  const [requestId, setRequestId] = useState(() => crypto.randomUUID());
  const redeem = useMutation(
    trpc.promotion.redeem.mutationOptions({
      onSuccess: (result) => {
        if (result.redeemed) {
          setCode("");
          setRequestId(crypto.randomUUID());
          router.refresh();
        }
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    redeem.mutate({ customerId, code, requestId });
  }

  const result = redeem.data;
  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-2" data-testid="apply-promotion-form">
      <div className="flex flex-col gap-1">
        <Label htmlFor="promotion-code">Promotion code</Label>
        <Input
          id="promotion-code"
          value={code}
          onChange={(event) => {
            setCode(event.target.value);
            setRequestId(crypto.randomUUID());
          }}
          placeholder="LAUNCH50"
          className="w-56 uppercase"
        />
      </div>
      <Button type="submit" variant="outline" disabled={redeem.isPending || code.trim() === ""}>
        {redeem.isPending ? "Applying…" : "Apply code"}
      </Button>
      {redeem.error ? <Alert variant="destructive">{describeError(redeem.error)}</Alert> : null}
      {result ? (
        <p className="text-sm" role="status" data-testid="apply-promotion-result">
          {result.redeemed ? `Applied ${result.promotionName}.` : `Not applied: ${result.message} (${result.code})`}
        </p>
      ) : null}
    </form>
  );
}
