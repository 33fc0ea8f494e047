export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { installDriverRaceGuard } = await import("@/db/driver-race-guard");
  installDriverRaceGuard();
  const { env } = await import("@/env");
  if ((env.TALLY_HOT_ROUTES ?? (env.NODE_ENV === "production" ? "on" : "off")) === "on") {
    const { installHotRoutes } = await import("@/server/http/hot-routes");
    installHotRoutes();
  }
  // Baseline security headers on every response (pages add their CSP in src/proxy.ts).
  const { installSecurityHeaders } = await import("@/server/http/install-security-headers");
  installSecurityHeaders();
  // Around the hot routes and Next: an oversized body is refused before anyone reads it.
  const { installBodyLimits } = await import("@/server/http/install-body-limits");
  installBodyLimits();
  // After the hot routes, so it wraps them: every request gets its x-request-id first.
  const { installRequestIds } = await import("@/server/observability/install-request-ids");
  installRequestIds();
  const { startServerRuntime } = await import("@/server/startup/start-server-runtime");
  await startServerRuntime({
    nodeEnv: env.NODE_ENV,
    workers: env.TALLY_WORKERS === "on",
    dataDir: env.TALLY_DATA_DIR,
    appUrl: env.NEXTAUTH_URL ?? `http://localhost:${process.env.PORT ?? 3000}`,
  });
}
