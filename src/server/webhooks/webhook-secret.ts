import crypto from "node:crypto";

/** A Standard Webhooks secret: `whsec_` + base64 of 24 random bytes (the receiver passes it to its verifier as is). */
export function generateWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(24).toString("base64")}`;
}

/** `whsec_abcd…` → `whsec_abcd••••` for screens. */
export function maskWebhookSecret(secret: string): string {
  return `${secret.slice(0, 10)}••••••••`;
}
