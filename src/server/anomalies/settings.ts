import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { anomalySettings } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import { recordAudit } from "@/server/audit/record-audit";
import type { Clock } from "@/server/clock";
import { DomainError } from "@/server/errors";

type Unit = "ratio" | "sigmas" | "days" | "hours" | "count" | "micros" | "share";
type Definition = { default: string; min: string; max: string; unit: Unit; group: string; label: string; description: string; integer?: boolean };

/**
 * Every detection threshold, with its default, bounds and meaning. One table (`anomaly_settings`)
 * holds the values an admin changed (audited); a missing row is the default.
 */
export const anomalySettingDefinitions = {
  "usage.lookback_days": { default: "7", min: "1", max: "35", unit: "days", integer: true, group: "Usage", label: "Days re-examined", description: "The daily run looks at each of the last N days (the hourly run at yesterday and today)." },
  "usage.history_days": { default: "56", min: "14", max: "120", unit: "days", integer: true, group: "Usage", label: "Baseline history", description: "Trailing days the baseline is computed from (8 weeks gives 8 samples of each weekday)." },
  "usage.min_history_days": { default: "10", min: "3", max: "60", unit: "days", integer: true, group: "Usage", label: "History before judging", description: "A series needs this many days since its first usage before it is judged: new customers ramp up." },
  "usage.spike_ratio": { default: "3", min: "1.2", max: "100", unit: "ratio", group: "Usage", label: "Spike: times the expected", description: "A day's usage must be at least this multiple of the expected usage." },
  "usage.spike_sigmas": { default: "5", min: "2", max: "20", unit: "sigmas", group: "Usage", label: "Spike: robust deviations", description: "…and above the expected by this many robust standard deviations (1.4826 × MAD of the baseline's residuals)." },
  "usage.spike_guard_ratio": { default: "1.5", min: "1", max: "10", unit: "ratio", group: "Usage", label: "Spike: over the busiest normal days", description: "…and this multiple of the 90th percentile of the baseline's days (weekday-adjusted), so noisy series need a real outlier." },
  "usage.spike_min_impact_micros": { default: "1000000", min: "0", max: "1000000000000", unit: "micros", integer: true, group: "Usage", label: "Spike: minimum money at stake", description: "A spike on a priced meter is reported when its excess costs at least this much at the customer's prices." },
  "usage.spike_min_excess_events": { default: "200", min: "0", max: "100000000", unit: "count", integer: true, group: "Usage", label: "Spike: minimum excess events (unpriced)", description: "A spike that costs nothing (free allowance, unpriced meter) is reported only with at least this many excess events." },
  "usage.drop_ratio": { default: "0.25", min: "0", max: "0.9", unit: "ratio", group: "Usage", label: "Drop: at most this share of expected", description: "A day's usage must fall to at most this share of the expected usage." },
  "usage.drop_sigmas": { default: "4", min: "2", max: "20", unit: "sigmas", group: "Usage", label: "Drop: robust deviations", description: "…and below the expected by this many robust standard deviations." },
  "usage.drop_min_expected_events": { default: "24", min: "1", max: "100000000", unit: "count", integer: true, group: "Usage", label: "Drop: minimum expected events per day", description: "Only series expected to send at least this many events a day can drop (a trickle that pauses is not news)." },
  "usage.drop_min_active_share": { default: "0.8", min: "0.1", max: "1", unit: "share", group: "Usage", label: "Drop: steady history", description: "Only series with usage on at least this share of their baseline days (per weekday when weekly) can drop." },
  "usage.stop_min_hours": { default: "4", min: "1", max: "72", unit: "hours", integer: true, group: "Usage", label: "Stop: hours without usage", description: "Usage stopped: at least this many hours without events, in hours that usually have them." },
  "usage.stop_min_expected_active_hours": { default: "3", min: "1", max: "72", unit: "hours", group: "Usage", label: "Stop: expected active hours missed", description: "…where the same hours of the week had events in this many hours' worth of the past weeks." },
  "usage.noise_floor_ratio": { default: "0.1", min: "0", max: "1", unit: "share", group: "Usage", label: "Noise floor", description: "The baseline's deviation is never taken below this share of the expected usage (nor below the Poisson noise of its event count)." },
  "invoice_jump.min_ratio": { default: "0.5", min: "0.01", max: "100", unit: "ratio", group: "Invoices", label: "Invoice jump: relative change", description: "A period invoice differs from the previous one by at least this share of the previous total…" },
  "invoice_jump.min_delta_micros": { default: "50000000", min: "0", max: "1000000000000", unit: "micros", integer: true, group: "Invoices", label: "Invoice jump: absolute change", description: "…and by at least this amount." },
  "duplicate_charge.window_hours": { default: "72", min: "1", max: "2160", unit: "hours", integer: true, group: "Payments", label: "Duplicate: charges this close together", description: "Two succeeded charges of the same customer and amount within this many hours (and not refunded) are a duplicate." },
  "payment_failure.min_amount_micros": { default: "0", min: "0", max: "1000000000000", unit: "micros", integer: true, group: "Payments", label: "Payment failure: minimum amount", description: "Failed payments below this amount are not reported." },
  "credit_burn.ratio": { default: "3", min: "1.2", max: "100", unit: "ratio", group: "Credits", label: "Credit burn: times the usual rate", description: "Credits burned over the last 7 days at this multiple of the customer's usual daily burn (the 4 weeks before)…" },
  "credit_burn.min_daily_micros": { default: "10000000", min: "0", max: "1000000000000", unit: "micros", integer: true, group: "Credits", label: "Credit burn: minimum per day", description: "…and at least this much a day." },
  "credit_burn.expiry_days": { default: "7", min: "1", max: "90", unit: "days", integer: true, group: "Credits", label: "Expiring grant: days ahead", description: "A grant expiring within this many days…" },
  "credit_burn.expiry_min_remaining_micros": { default: "50000000", min: "0", max: "1000000000000", unit: "micros", integer: true, group: "Credits", label: "Expiring grant: unused amount", description: "…with at least this much unused is reported." },
  "spend_limit.min_denials": { default: "20", min: "1", max: "100000000", unit: "count", integer: true, group: "Spend limits", label: "Refused checks", description: "A customer refused this many checks in a day for an exhausted allowance or their spend limit." },
  "severity.medium_micros": { default: "10000000", min: "0", max: "1000000000000000", unit: "micros", integer: true, group: "Severity", label: "Medium from", description: "Money at stake from which an anomaly is medium." },
  "severity.high_micros": { default: "100000000", min: "0", max: "1000000000000000", unit: "micros", integer: true, group: "Severity", label: "High from", description: "…high." },
  "severity.critical_micros": { default: "1000000000", min: "0", max: "1000000000000000", unit: "micros", integer: true, group: "Severity", label: "Critical from", description: "…critical." },
} as const satisfies Record<string, Definition>;

export type AnomalySettingKey = keyof typeof anomalySettingDefinitions;
export const anomalySettingKeys = Object.keys(anomalySettingDefinitions) as AnomalySettingKey[];

/** Values as numbers (ratios, counts, days) — money settings are also given exactly as bigint in `micros`. */
export type AnomalySettings = { [K in AnomalySettingKey]: number } & { micros: { [K in AnomalySettingKey]: bigint } };

export function defaultAnomalySettings(): AnomalySettings {
  return settingsFrom(new Map());
}

export function settingsFrom(values: ReadonlyMap<string, string>): AnomalySettings {
  const numbers = {} as Record<AnomalySettingKey, number>;
  const micros = {} as Record<AnomalySettingKey, bigint>;
  for (const key of anomalySettingKeys) {
    const definition: Definition = anomalySettingDefinitions[key];
    const raw = values.get(key) ?? definition.default;
    numbers[key] = Number(raw);
    micros[key] = definition.unit === "micros" ? BigInt(raw.split(".")[0] ?? "0") : 0n;
  }
  return { ...numbers, micros } as AnomalySettings;
}

export async function readAnomalySettings(db: Db): Promise<AnomalySettings> {
  const rows = await db.select({ key: anomalySettings.key, value: anomalySettings.value }).from(anomalySettings).limit(500);
  return settingsFrom(new Map(rows.map((row) => [row.key, row.value])));
}

export type AnomalySettingView = Definition & { key: AnomalySettingKey; value: string; changedBy: string | null; changedAt: Date | null };

export async function listAnomalySettings(db: Db): Promise<AnomalySettingView[]> {
  const rows = await db.select().from(anomalySettings).limit(500);
  const byKey = new Map(rows.map((row) => [row.key, row]));
  return anomalySettingKeys.map((key) => {
    const row = byKey.get(key);
    const definition: Definition = anomalySettingDefinitions[key];
    return { ...definition, key, value: row ? normalize(row.value) : definition.default, changedBy: row?.updatedBy ?? null, changedAt: row?.updatedAt ?? null };
  });
}

export const updateAnomalySettingInput = z.object({
  key: z.enum(anomalySettingKeys as [AnomalySettingKey, ...AnomalySettingKey[]]),
  value: z.string().trim().max(32).regex(/^\d+(\.\d+)?$/, "value must be a non-negative decimal number such as 3 or 0.25"),
  reason: z.string().trim().min(3, "Say why the threshold changes (at least 3 characters).").max(500),
});
export type UpdateAnomalySettingInput = z.infer<typeof updateAnomalySettingInput>;

/** Changes one threshold (admin), audited with before and after; out-of-bounds values are refused with the bounds. */
export async function updateAnomalySetting(db: Db, actor: Actor, clock: Clock, rawInput: UpdateAnomalySettingInput): Promise<AnomalySettingView> {
  const input = updateAnomalySettingInput.parse(rawInput);
  const definition: Definition = anomalySettingDefinitions[input.key];
  const value = Number(input.value);
  if (value < Number(definition.min) || value > Number(definition.max)) {
    throw new DomainError("invalid", "anomaly_setting_out_of_range", `${definition.label} must be between ${definition.min} and ${definition.max}; got ${input.value}.`);
  }
  if (definition.integer && !Number.isInteger(value)) {
    throw new DomainError("invalid", "anomaly_setting_not_integer", `${definition.label} must be a whole number; got ${input.value}.`);
  }
  return db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    const [before] = await tx.select().from(anomalySettings).where(eq(anomalySettings.key, input.key)).for("update");
    const now = clock.now();
    await tx
      .insert(anomalySettings)
      .values({ key: input.key, value: input.value, updatedBy: actor.label, updatedAt: now })
      .onConflictDoUpdate({ target: anomalySettings.key, set: { value: input.value, updatedBy: actor.label, updatedAt: now } });
    await recordAudit(tx, {
      actor,
      action: "anomaly_setting.update",
      objectType: "anomaly_setting",
      objectId: input.key,
      reason: input.reason,
      before: { value: before ? normalize(before.value) : definition.default },
      after: { value: input.value },
    });
    return { ...definition, key: input.key, value: input.value, changedBy: actor.label, changedAt: now };
  });
}

/** `3.000` → `3`, as typed. */
function normalize(value: string): string {
  return value.includes(".") ? value.replace(/\.?0+$/, "") : value;
}
