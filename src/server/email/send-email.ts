import nodemailer, { type Transporter } from "nodemailer";
import { logger } from "@/server/observability/logger";

export type Email = { to: string[]; subject: string; text: string; /** Stable id of what the mail is about: receivers and logs dedupe on the Message-ID. */ messageKey: string };

let cached: { url: string; transport: Transporter } | undefined;

/** Whether notification email is configured (`SMTP_URL`). */
export function emailConfigured(): boolean {
  return Boolean(process.env.SMTP_URL);
}

/**
 * Sends one notification email through `SMTP_URL` (nodemailer); a no-op without it. The
 * Message-ID is derived from `messageKey`, so a mail sent twice after a crash is recognisably the
 * same. Returns false when not configured; throws when the SMTP server refuses.
 */
export async function sendEmail(email: Email): Promise<boolean> {
  const url = process.env.SMTP_URL;
  if (!url || email.to.length === 0) return false;
  if (cached?.url !== url) cached = { url, transport: nodemailer.createTransport(url) };
  const from = process.env.SMTP_FROM ?? "Tally Billing <billing@tally.local>";
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? "tally.local";
  await cached.transport.sendMail({ from, to: email.to, subject: email.subject, text: email.text, messageId: `<${email.messageKey.replace(/[^A-Za-z0-9._:-]/g, "-")}@${domain}>` });
  logger.info({ component: "email", to: email.to.length, subject: email.subject }, "notification email sent");
  return true;
}
