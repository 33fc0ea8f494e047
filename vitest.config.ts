import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname, "src"),
      "~/inngest": path.resolve(import.meta.dirname, "inngest"),
      "~/tools": path.resolve(import.meta.dirname, "tools"),
      "server-only": path.resolve(import.meta.dirname, "src/test/server-only-stub.ts"),
    },
  },
  test: {
    include: ["src/**/*.test.ts", "inngest/**/*.test.ts", "tools/**/*.test.ts", "scripts/**/*.test.ts"],
    globalSetup: ["src/test/global-setup.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The ingest governor stays out of tests that do not install one (see src/server/http/ingest-governor.ts).
    env: { TZ: "UTC", TALLY_INGEST_GOVERNOR: "off" },
  },
});
