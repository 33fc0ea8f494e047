import crypto from "node:crypto";
import type { FormObject } from "./form";

/** A saved response for an `Idempotency-Key`, replayed for the same request and refused for a different one. */
export interface SavedResponse {
  method: string;
  path: string;
  fingerprint: string;
  status: number;
  body: string;
  savedAtMs: number;
}

const keysMax = 100_000;
const keyLifetimeMs = 24 * 60 * 60 * 1000;

export class IdempotencyCache {
  private readonly saved = new Map<string, SavedResponse>();

  get(apiKey: string, key: string, nowMs: number): SavedResponse | undefined {
    const entry = this.saved.get(`${apiKey}\u0000${key}`);
    if (entry === undefined) return undefined;
    if (nowMs - entry.savedAtMs > keyLifetimeMs) {
      this.saved.delete(`${apiKey}\u0000${key}`);
      return undefined;
    }
    return entry;
  }

  save(apiKey: string, key: string, response: SavedResponse): void {
    if (this.saved.size >= keysMax) {
      const oldest = this.saved.keys().next();
      if (!oldest.done) this.saved.delete(oldest.value);
    }
    this.saved.set(`${apiKey}\u0000${key}`, response);
  }

  clear(): void {
    this.saved.clear();
  }
}

/** Parameters compared as Stripe does: by value, not by byte order of the encoded body. */
export function fingerprintParams(params: FormObject): string {
  return crypto.createHash("sha256").update(canonicalJson(params)).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
}
