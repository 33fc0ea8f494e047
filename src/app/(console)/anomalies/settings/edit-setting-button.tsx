"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ReasonDialog } from "@/components/console/action-dialog";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { AnomalySettingKey } from "@/server/anomalies/settings";
import { useTRPC } from "@/trpc/react";

/** One threshold's new value (raw: micro-units for money, a decimal for ratios and shares), with the reason the audit log keeps. */
export function EditSettingButton({ settingKey, label, value, min, max, unit }: { settingKey: AnomalySettingKey; label: string; value: string; min: string; max: string; unit: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [next, setNext] = useState(value);
  const update = useMutation(trpc.anomaly.updateSetting.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <ReasonDialog
      trigger={
        <Button variant="outline" size="sm">
          Change
        </Button>
      }
      title={`Change “${label}”?`}
      description={`Between ${min} and ${max} (${unit === "micros" ? "micro-units: 1,000,000 = $1" : unit}). Detection uses it from its next run.`}
      confirmLabel="Change threshold"
      successMessage={`${label}: now ${next}.`}
      onConfirm={(reason) => update.mutateAsync({ key: settingKey, value: next, reason })}
    >
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={`setting-${settingKey}`}>New value</Label>
        <Input id={`setting-${settingKey}`} inputMode="decimal" value={next} onChange={(event) => setNext(event.target.value)} />
      </div>
    </ReasonDialog>
  );
}
