import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";

const postgresUrl = z
  .string()
  .url("must be a URL like postgres://user@host:5432/db")
  .refine((value) => /^postgres(ql)?:\/\//.test(value), "must start with postgres:// or postgresql://");

const booleanFlag = z
  .enum(["true", "false", "1", "0"])
  .optional()
  .transform((value) => value === "true" || value === "1");

/**
 * Every environment variable Tally reads, validated once. A bad value stops start-up with
 * a message naming the variable (next.config.ts imports this module, so `next build`,
 * `next dev` and `next start` all fail fast).
 */
export const env = createEnv({
  server: {
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    DATABASE_URL: postgresUrl.optional(),
    TALLY_DATA_DIR: z.string().min(1).default(".data"),
    NEXTAUTH_URL: z.string().url().optional(),
    NEXTAUTH_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
    TALLY_DEMO_LOGIN: booleanFlag,
    /** Reverse proxies of ours in front of Tally that append to X-Forwarded-For (0: trust none; sign-in throttles per connection address). */
    TALLY_TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    OIDC_ISSUER: z.string().url().optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    STRIPE_SECRET_KEY: z
      .string()
      .regex(/^(sk|rk)_(test|live)_/, "must be a Stripe secret key (sk_test_... or sk_live_...)")
      .optional(),
    STRIPE_WEBHOOK_SECRET: z.string().startsWith("whsec_", "must start with whsec_").optional(),
    STRIPE_EMULATOR_PORT: z.coerce.number().int().min(1).max(65535).default(12111),
    TALLY_WORKERS: z.enum(["on", "off"]).default("on"),
    /** PostgreSQL statement_timeout of this process's pool, ms (0 = none); scripts (jobs, migrations, seed) default to 0. */
    TALLY_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(86_400_000).default(30_000),
    /** Default: on under `next start` (production), off in `next dev` so edits to the endpoints reload. */
    TALLY_HOT_ROUTES: z.enum(["on", "off"]).optional(),
    /** Ingestion yields (503 ingest_overloaded) while this process's entitlement checks are slow: src/server/http/ingest-governor.ts. */
    TALLY_INGEST_GOVERNOR: z.enum(["on", "off"]).default("on"),
    /** trace, debug, info, warn, error, fatal or silent; default info in production, warn in development. */
    LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).optional(),
    /** Bearer token for GET /api/metrics; unset: open to localhost in development, closed in production. */
    TALLY_METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
    /** Requests per minute per API key to the resource API (/api/v1 except events and checks); 0 turns the limit off. */
    TALLY_API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000_000).default(600),
    /** Requests per second per API key to POST /api/v1/events and /entitlements/check (one bucket); 0 (default) = off, the hot path pays no extra statement. */
    TALLY_API_HOT_RATE_LIMIT_PER_SECOND: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
    /** smtp://user:pass@host:port (or smtps://): notification email (spend warnings, disabled webhook endpoints); unset = no email. */
    SMTP_URL: z.string().regex(/^smtps?:\/\//, "must be smtp://... or smtps://...").optional(),
    /** The From of notification email. */
    SMTP_FROM: z.string().min(3).default("Tally Billing <billing@tally.local>"),
    INNGEST_EVENT_KEY: z.string().optional(),
    INNGEST_SIGNING_KEY: z.string().optional(),
  },
  client: {},
  experimental__runtimeEnv: {},
  emptyStringAsUndefined: true,
  skipValidation: process.env.SKIP_ENV_VALIDATION === "1",
});

export type Env = typeof env;

/** next-auth's development-only signing secret: public (it is in this repository), so never valid in production. */
export const developmentAuthSecret = "tally-development-secret-not-for-production";
export const productionAuthSecretLengthMin = 32;

/**
 * Why this configuration must not start, or null. In production, whenever any sign-in is enabled
 * (demo/password sign-in or single sign-on), sessions are signed with NEXTAUTH_SECRET: without it,
 * with the public development value, or with a short one, anyone could forge an admin session.
 */
export function authSecretProblem(config: { nodeEnv: string; secret: string | undefined; signInEnabled: boolean }): string | null {
  if (config.nodeEnv !== "production" || !config.signInEnabled) return null;
  if (!config.secret) {
    return "NEXTAUTH_SECRET is required in production when sign-in is enabled (TALLY_DEMO_LOGIN or OIDC_*). Generate one with `openssl rand -base64 32`.";
  }
  if (config.secret === developmentAuthSecret) return "NEXTAUTH_SECRET must not be the development secret in production.";
  if (config.secret.length < productionAuthSecretLengthMin) {
    return `NEXTAUTH_SECRET must be at least ${productionAuthSecretLengthMin} characters in production (e.g. \`openssl rand -base64 32\`).`;
  }
  return null;
}

// `next build` runs with NODE_ENV=production but signs nothing; the rule holds from `next start` on.
if (process.env.SKIP_ENV_VALIDATION !== "1" && process.env.NEXT_PHASE !== "phase-production-build") {
  const problem = authSecretProblem({
    nodeEnv: env.NODE_ENV,
    secret: env.NEXTAUTH_SECRET,
    signInEnabled: env.TALLY_DEMO_LOGIN || Boolean(env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET),
  });
  if (problem) {
    console.error(`❌ Invalid environment variables: ${problem}`);
    throw new Error(`Invalid environment variables: ${problem}`);
  }
}
