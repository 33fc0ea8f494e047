import type { NextConfig } from "next";
// Validates the environment at build and start: a bad variable stops Next with its name.
import "./src/env";

const nextConfig: NextConfig = {
  distDir: process.env.TALLY_NEXT_DIST_DIR ?? ".next",
  // PGlite ships WebAssembly and data files; postgres and bcrypt are plain Node modules.
  // prom-client and pino: one copy per process, shared by instrumentation and every route.
  // exceljs and yazl (report exports, close package) stream through Node's own modules.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "bcryptjs", "stripe", "prom-client", "pino", "exceljs", "yazl"],
  // `npm test` type-checks the whole project as its own step (tsc --noEmit); doing it again here
  // would only double the build time.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  // Quiet by default: machine traffic (Stripe's webhooks, the product's API calls, Inngest, metrics)
  // is not logged line by line; pages and the console's own calls are. LOG_LEVEL=debug logs all.
  logging: {
    incomingRequests:
      process.env.LOG_LEVEL === "debug" || process.env.LOG_LEVEL === "trace"
        ? true
        : { ignore: [/\/api\/webhooks\//, /\/api\/v1\//, /\/api\/inngest/, /\/api\/metrics/, /\/favicon/] },
  },
  // forbidden() renders app/forbidden.tsx with a real 403 status.
  experimental: { authInterrupts: true },
};

export default nextConfig;
