import { developmentAuthSecret, env } from "@/env";

/**
 * The secret sessions are signed with. Production signs only with NEXTAUTH_SECRET (src/env.ts
 * refuses to start without a strong one whenever sign-in is on); elsewhere the development value.
 */
export function authSecret(): string | undefined {
  return env.NEXTAUTH_SECRET ?? (env.NODE_ENV === "production" ? undefined : developmentAuthSecret);
}
