import { invalidRequest, missingParam } from "./errors";
import type { FormObject, FormValue } from "./form";

/** Typed reads of form parameters that fail with Stripe's messages and the offending `param`. */
export class Params {
  constructor(
    readonly values: FormObject,
    readonly prefix = "",
  ) {}

  name(key: string): string {
    return this.prefix === "" ? key : `${this.prefix}[${key}]`;
  }

  has(key: string): boolean {
    return this.values[key] !== undefined;
  }

  raw(key: string): FormValue | undefined {
    return this.values[key];
  }

  string(key: string, options: { maxLength?: number } = {}): string | undefined {
    const value = this.values[key];
    if (value === undefined) return undefined;
    if (typeof value !== "string") throw invalidRequest(`Invalid string: ${JSON.stringify(value).slice(0, 100)}`, this.name(key));
    const maxLength = options.maxLength ?? 5000;
    if (value.length > maxLength) throw invalidRequest(`Invalid string: must be at most ${maxLength} characters`, this.name(key));
    return value;
  }

  requiredString(key: string, options: { maxLength?: number } = {}): string {
    const value = this.string(key, options);
    if (value === undefined || value === "") throw missingParam(this.name(key));
    return value;
  }

  /** A string that may be sent empty to unset the field (Stripe's `Emptyable`). */
  nullableString(key: string): string | null | undefined {
    const value = this.string(key);
    if (value === "") return null;
    return value;
  }

  integer(key: string, bounds: { min?: number; max?: number } = {}): number | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value)) throw invalidRequest(`Invalid integer: ${value}`, this.name(key));
    const parsed = Number(value);
    if (!Number.isSafeInteger(parsed)) throw invalidRequest(`Invalid integer: ${value}`, this.name(key));
    if (bounds.min !== undefined && parsed < bounds.min)
      throw invalidRequest(`This value must be greater than or equal to ${bounds.min}.`, this.name(key));
    if (bounds.max !== undefined && parsed > bounds.max)
      throw invalidRequest(`This value must be less than or equal to ${bounds.max}.`, this.name(key));
    return parsed;
  }

  requiredInteger(key: string, bounds: { min?: number; max?: number } = {}): number {
    const value = this.integer(key, bounds);
    if (value === undefined) throw missingParam(this.name(key));
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (value === "true") return true;
    if (value === "false") return false;
    throw invalidRequest(`Invalid boolean: ${value}`, this.name(key));
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value))
      throw invalidRequest(`Invalid ${key}: must be one of ${allowed.join(", ")}`, this.name(key));
    return value as T;
  }

  /** A unix timestamp, or `now` where Stripe allows it. */
  timestamp(key: string, options: { allowNow?: boolean } = {}): number | "now" | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (value === "now" && options.allowNow) return "now";
    return this.integer(key, { min: 0 });
  }

  object(key: string): Params | undefined {
    const value = this.values[key];
    if (value === undefined) return undefined;
    if (value === "") return new Params({}, this.name(key));
    if (typeof value === "string" || Array.isArray(value))
      throw invalidRequest(`Invalid object`, this.name(key));
    return new Params(value, this.name(key));
  }

  /** An array of objects, such as `items[0][price]`. */
  objectArray(key: string, maxLength = 100): Params[] {
    const value = this.values[key];
    if (value === undefined || value === "") return [];
    const list = Array.isArray(value) ? value : typeof value === "object" ? Object.values(value) : null;
    if (list === null) throw invalidRequest(`Invalid array`, this.name(key));
    if (list.length > maxLength) throw invalidRequest(`Invalid array: at most ${maxLength} items`, this.name(key));
    return list.map((item, index) => {
      if (typeof item !== "object" || Array.isArray(item)) throw invalidRequest(`Invalid object`, `${this.name(key)}[${index}]`);
      return new Params(item, `${this.name(key)}[${index}]`);
    });
  }

  stringArray(key: string, maxLength = 100): string[] | undefined {
    const value = this.values[key];
    if (value === undefined) return undefined;
    if (value === "") return [];
    const list = Array.isArray(value) ? value : typeof value === "string" ? [value] : Object.values(value);
    if (list.length > maxLength) throw invalidRequest(`Invalid array: at most ${maxLength} items`, this.name(key));
    return list.map((item, index) => {
      if (typeof item !== "string") throw invalidRequest(`Invalid string`, `${this.name(key)}[${index}]`);
      return item;
    });
  }

  /** Metadata updates: `metadata=` clears all, `metadata[k]=` removes a key. */
  applyMetadata(current: Record<string, string>, key = "metadata"): Record<string, string> {
    const value = this.values[key];
    if (value === undefined) return current;
    if (value === "") return {};
    if (typeof value === "string" || Array.isArray(value)) throw invalidRequest(`Invalid object`, this.name(key));
    const next = { ...current };
    const entries = Object.entries(value);
    if (entries.length > 50) throw invalidRequest(`Invalid metadata: at most 50 keys`, this.name(key));
    for (const [name, item] of entries) {
      if (typeof item !== "string") throw invalidRequest(`Invalid string`, `${this.name(key)}[${name}]`);
      if (item === "") delete next[name];
      else next[name] = item;
    }
    return next;
  }

  expand(): string[] {
    return this.stringArray("expand", 50) ?? [];
  }
}
