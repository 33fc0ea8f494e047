"use client";

import { useMutation } from "@tanstack/react-query";
import { PlansPicker } from "@/components/form/pickers";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { describeError } from "@/components/console/use-mutation-error";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { DatePicker, dayFromText, formatDateUtc } from "@/components/form/date-picker";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import type { PromotionEffect } from "@/db/schema/promotions";
import { parseMoneyToMicros } from "@/lib/parse-money";
import { useTRPC } from "@/trpc/react";
import type { PromotionFormValues } from "./promotion-form-values";

/** Percent typed by a person → basis points, exactly (no floating point): "20" → 2000, "12.5" → 1250. */
function percentToBasisPoints(text: string): number | null {
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  const basisPoints = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
  return basisPoints >= 1 && basisPoints <= 10_000 ? basisPoints : null;
}

const list = (text: string) => text.split(",").map((part) => part.trim()).filter(Boolean);
const optionalInt = (text: string) => (text.trim() === "" ? null : Number.parseInt(text, 10));

function buildEffect(values: PromotionFormValues): PromotionEffect | string {
  const periods = Number.parseInt(values.periods, 10);
  if (values.effectType === "credit") {
    const amountMicros = parseMoneyToMicros(values.creditDollars);
    if (!amountMicros) return "Type the credit in dollars, e.g. 50.";
    return { type: "credit", amountMicros, currency: "usd", expiryDays: optionalInt(values.expiryDays) };
  }
  if (values.effectType === "discount") {
    if (values.discountKind === "percent") {
      const percentBasisPoints = percentToBasisPoints(values.percent);
      if (percentBasisPoints === null) return "Type a percentage between 0.01 and 100.";
      return { type: "discount", productKey: values.productKey, percentBasisPoints, fixedMicros: null, currency: "usd", periods };
    }
    const fixedMicros = parseMoneyToMicros(values.fixedDollars);
    if (!fixedMicros) return "Type the fixed discount in dollars.";
    return { type: "discount", productKey: values.productKey, percentBasisPoints: null, fixedMicros, currency: "usd", periods };
  }
  return { type: "allowance", featureKey: values.featureKey, meterKey: values.meterKey, quantityPerPeriod: values.quantity.trim(), periods };
}

export function PromotionForm({ initial, promotionId, effectLocked = false }: { initial: PromotionFormValues; promotionId?: string; effectLocked?: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [values, setValues] = useState(initial);
  const [invalid, setInvalid] = useState<string | null>(null);
  const create = useMutation(trpc.promotion.create.mutationOptions({ onSuccess: (promotion) => router.push(`/promotions/${promotion.id}`) }));
  const update = useMutation(trpc.promotion.update.mutationOptions({ onSuccess: () => router.refresh() }));
  const set = (key: keyof PromotionFormValues) => (event: { target: { value: string } }) => setValues({ ...values, [key]: event.target.value });

  function submit(event: FormEvent) {
    event.preventDefault();
    const effect = buildEffect(values);
    if (typeof effect === "string") return setInvalid(effect);
    setInvalid(null);
    const common = {
      name: values.name,
      description: values.description,
      startsAt: new Date(`${values.startsOn}T00:00:00Z`),
      endsAt: values.endsOn ? new Date(`${values.endsOn}T00:00:00Z`) : null,
      effect,
      eligibility: { newCustomerWithinDays: optionalInt(values.newCustomerWithinDays), planKeys: list(values.planKeys), productKeys: list(values.productKeys) },
      maxRedemptions: optionalInt(values.maxRedemptions),
      maxRedemptionsPerCustomer: optionalInt(values.maxPerCustomer) ?? 1,
    };
    if (promotionId) update.mutate({ promotionId, ...common });
    else create.mutate({ ...common, sharedCode: values.sharedCode.trim() || null });
  }

  const error = invalid ?? describeError(create.error ?? update.error);
  return (
    <form onSubmit={submit} className="grid max-w-3xl grid-cols-1 gap-3 md:grid-cols-2" data-testid="promotion-form">
      {error ? <Alert variant="destructive" className="md:col-span-2">{error}</Alert> : null}
      {update.isSuccess ? <Alert className="md:col-span-2">Saved.</Alert> : null}
      <div className="flex flex-col gap-1 md:col-span-2">
        <Label htmlFor="promotion-name">Name</Label>
        <Input id="promotion-name" required value={values.name} onChange={set("name")} />
      </div>
      <div className="flex flex-col gap-1 md:col-span-2">
        <Label htmlFor="promotion-description">Description</Label>
        <Textarea id="promotion-description" value={values.description} onChange={set("description")} />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="promotion-starts">Starts on</Label>
        <DatePicker id="promotion-starts" value={dayFromText(values.startsOn)} onChange={(day) => setValues({ ...values, startsOn: day ? formatDateUtc(day) : "" })} />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="promotion-ends">Ends on (optional)</Label>
        <DatePicker id="promotion-ends" clearable placeholder="No end" value={dayFromText(values.endsOn)} onChange={(day) => setValues({ ...values, endsOn: day ? formatDateUtc(day) : "" })} />
      </div>
      <fieldset disabled={effectLocked} className="grid grid-cols-1 gap-3 rounded-md border p-3 md:col-span-2 md:grid-cols-2">
        <legend className="px-1 text-sm font-medium">Effect{effectLocked ? " (fixed once the promotion is live)" : ""}</legend>
        <div className="flex flex-col gap-1">
          <Label htmlFor="promotion-effect">Type</Label>
          <NativeSelect id="promotion-effect" value={values.effectType} onChange={set("effectType")}>
            <option value="credit">Credit</option>
            <option value="discount">Discount on a product</option>
            <option value="allowance">Extra allowance</option>
          </NativeSelect>
        </div>
        {values.effectType === "credit" ? (
          <>
            <div className="flex flex-col gap-1">
              <Label htmlFor="promotion-credit">Credit (USD)</Label>
              <Input id="promotion-credit" inputMode="decimal" value={values.creditDollars} onChange={set("creditDollars")} />
            </div>
            <div className="flex flex-col gap-1">
              <Label htmlFor="promotion-expiry-days">Credit expires after (days, empty = never)</Label>
              <Input id="promotion-expiry-days" inputMode="numeric" value={values.expiryDays} onChange={set("expiryDays")} />
            </div>
          </>
        ) : null}
        {values.effectType === "discount" ? (
          <>
            <div className="flex flex-col gap-1">
              <Label htmlFor="promotion-product">Product key</Label>
              <Input id="promotion-product" value={values.productKey} onChange={set("productKey")} />
            </div>
            <div className="flex flex-col gap-1">
              <Label htmlFor="promotion-discount-kind">Discount</Label>
              <NativeSelect id="promotion-discount-kind" value={values.discountKind} onChange={set("discountKind")}>
                <option value="percent">Percent</option>
                <option value="fixed">Fixed amount per period</option>
              </NativeSelect>
            </div>
            {values.discountKind === "percent" ? (
              <div className="flex flex-col gap-1">
                <Label htmlFor="promotion-percent">Percent</Label>
                <Input id="promotion-percent" inputMode="decimal" value={values.percent} onChange={set("percent")} />
              </div>
            ) : (
              <div className="flex flex-col gap-1">
                <Label htmlFor="promotion-fixed">Amount (USD)</Label>
                <Input id="promotion-fixed" inputMode="decimal" value={values.fixedDollars} onChange={set("fixedDollars")} />
              </div>
            )}
          </>
        ) : null}
        {values.effectType === "allowance" ? (
          <>
            <div className="flex flex-col gap-1">
              <Label htmlFor="promotion-feature">Feature key</Label>
              <Input id="promotion-feature" value={values.featureKey} onChange={set("featureKey")} />
            </div>
            <div className="flex flex-col gap-1">
              <Label htmlFor="promotion-meter">Meter key</Label>
              <Input id="promotion-meter" value={values.meterKey} onChange={set("meterKey")} />
            </div>
            <div className="flex flex-col gap-1">
              <Label htmlFor="promotion-quantity">Extra quantity per period</Label>
              <Input id="promotion-quantity" inputMode="decimal" value={values.quantity} onChange={set("quantity")} />
            </div>
          </>
        ) : null}
        {values.effectType !== "credit" ? (
          <div className="flex flex-col gap-1">
            <Label htmlFor="promotion-periods">Billing periods</Label>
            <Input id="promotion-periods" inputMode="numeric" value={values.periods} onChange={set("periods")} />
          </div>
        ) : null}
      </fieldset>
      <div className="flex flex-col gap-1">
        <Label htmlFor="promotion-max">Total redemptions (empty = unlimited)</Label>
        <Input id="promotion-max" inputMode="numeric" value={values.maxRedemptions} onChange={set("maxRedemptions")} />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="promotion-max-customer">Per customer</Label>
        <Input id="promotion-max-customer" inputMode="numeric" value={values.maxPerCustomer} onChange={set("maxPerCustomer")} />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="promotion-new-days">New customers only: created within (days)</Label>
        <Input id="promotion-new-days" inputMode="numeric" value={values.newCustomerWithinDays} onChange={set("newCustomerWithinDays")} />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="promotion-plans">Only customers on these plans (none: any plan)</Label>
        <PlansPicker id="promotion-plans" value={list(values.planKeys)} onChange={(keys) => setValues({ ...values, planKeys: keys.join(", ") })} />
      </div>
      <div className="flex flex-col gap-1">
        <Label htmlFor="promotion-products">Only customers with products (keys)</Label>
        <Input id="promotion-products" value={values.productKeys} onChange={set("productKeys")} />
      </div>
      {promotionId ? null : (
        <div className="flex flex-col gap-1">
          <Label htmlFor="promotion-code-shared">Shared code (optional)</Label>
          <Input id="promotion-code-shared" className="uppercase" value={values.sharedCode} onChange={set("sharedCode")} />
        </div>
      )}
      <div className="md:col-span-2">
        <Button type="submit" disabled={create.isPending || update.isPending}>
          {promotionId ? "Save changes" : "Create promotion"}
        </Button>
      </div>
    </form>
  );
}
