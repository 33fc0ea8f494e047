import { DomainError } from "@/server/errors";

/** Stripe's limits: 50 keys, keys up to 40 characters, values up to 500. */
export const customerMetadataLimits = { keysMax: 50, keyLengthMax: 40, valueLengthMax: 500 } as const;

/** A metadata update: a string sets the key, `""` or null removes it (as in Stripe). */
export type MetadataPatch = Record<string, string | null>;

/** The metadata after `patch`, checked against the limits (400 `invalid_metadata` with the key as `param`). */
export function applyMetadataPatch(current: Readonly<Record<string, string>>, patch: MetadataPatch | undefined): Record<string, string> {
  const next: Record<string, string> = { ...current };
  if (!patch) return next;
  for (const [key, value] of Object.entries(patch)) {
    if (key.length === 0 || key.length > customerMetadataLimits.keyLengthMax || !/^[A-Za-z0-9_.:-]+$/.test(key)) {
      throw new DomainError("invalid", "invalid_metadata", `Metadata keys have 1 to ${customerMetadataLimits.keyLengthMax} letters, digits or _ . : - (got "${key.slice(0, 60)}").`, undefined, { param: `metadata.${key.slice(0, 60)}` });
    }
    if (value === null || value === "") {
      delete next[key];
      continue;
    }
    if (value.length > customerMetadataLimits.valueLengthMax) {
      throw new DomainError("invalid", "invalid_metadata", `Metadata values have at most ${customerMetadataLimits.valueLengthMax} characters.`, undefined, { param: `metadata.${key}` });
    }
    next[key] = value;
  }
  if (Object.keys(next).length > customerMetadataLimits.keysMax) {
    throw new DomainError("invalid", "invalid_metadata", `A customer has at most ${customerMetadataLimits.keysMax} metadata keys; remove some with "" first.`, undefined, { param: "metadata" });
  }
  return next;
}

export function sameMetadata(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}
