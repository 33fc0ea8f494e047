"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import type { PromotionStatus } from "@/db/schema/promotions";
import { useTRPC } from "@/trpc/react";

/** Activate / pause / resume / end, and generate single-use codes. */
export function PromotionActions({ promotionId, status }: { promotionId: string; status: PromotionStatus }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [count, setCount] = useState("10");
  const setStatus = useMutation(trpc.promotion.setStatus.mutationOptions({ onSuccess: () => router.refresh() }));
  const generate = useMutation(trpc.promotion.generateCodes.mutationOptions({ onSuccess: () => router.refresh() }));
  const error = describeError(setStatus.error ?? generate.error);
  if (status === "ended") return null;
  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex flex-wrap gap-2">
        {status !== "active" ? (
          <Button disabled={setStatus.isPending} onClick={() => setStatus.mutate({ promotionId, status: "active" })}>
            {status === "paused" ? "Resume" : "Activate"}
          </Button>
        ) : (
          <Button variant="outline" disabled={setStatus.isPending} onClick={() => setStatus.mutate({ promotionId, status: "paused" })}>
            Pause
          </Button>
        )}
        <Button variant="outline" disabled={setStatus.isPending} onClick={() => setStatus.mutate({ promotionId, status: "ended" })}>
          End
        </Button>
        <Input aria-label="Number of codes" className="w-20" inputMode="numeric" value={count} onChange={(event) => setCount(event.target.value)} />
        <Button variant="outline" disabled={generate.isPending} onClick={() => generate.mutate({ promotionId, count: Number.parseInt(count, 10) || 0 })}>
          Generate codes
        </Button>
      </div>
      {error ? <Alert variant="destructive">{error}</Alert> : null}
      {generate.data ? <p className="text-sm">Generated {generate.data.codes.length} codes.</p> : null}
    </div>
  );
}
