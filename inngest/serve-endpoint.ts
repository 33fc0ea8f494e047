import { serve } from "inngest/next";
import { inngest } from "./client";
import { functions } from "./functions";

type Handler = (request: Request, context?: unknown) => Promise<Response>;
export type InngestEndpoint = { GET: Handler; POST: Handler; PUT: Handler };

/**
 * `/api/inngest`. Inngest's cloud mode (its default unless INNGEST_DEV is set) cannot verify or
 * register anything without a signing key, and its handler then answers every request 500;
 * without one, a clear 503 says so instead (jobs still run with `npm run job` and the in-process
 * workers). `INNGEST_DEV=1` (a local Inngest dev server) needs no key.
 */
export function inngestEndpoint(config: { signingKey: string | undefined; devServer: boolean }): InngestEndpoint {
  if (!config.signingKey && !config.devServer) {
    const notConfigured: Handler = async () =>
      Response.json(
        { error: { code: "inngest_not_configured", message: "Inngest is not configured on this server: set INNGEST_SIGNING_KEY (and INNGEST_EVENT_KEY) to serve Inngest functions." } },
        { status: 503, headers: { "cache-control": "no-store" } },
      );
    return { GET: notConfigured, POST: notConfigured, PUT: notConfigured };
  }
  return serve({ client: inngest, functions }) as unknown as InngestEndpoint;
}
