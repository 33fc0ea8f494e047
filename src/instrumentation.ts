export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("@/env");
  if ((env.TALLY_HOT_ROUTES ?? (env.NODE_ENV === "production" ? "on" : "off")) === "on") {
    const { installHotRoutes } = await import("@/server/http/hot-routes");
    installHotRoutes();
  }
  const { startServerRuntime } = await import("@/server/startup/start-server-runtime");
  await startServerRuntime({ nodeEnv: env.NODE_ENV, workers: env.TALLY_WORKERS === "on", dataDir: env.TALLY_DATA_DIR });
}
