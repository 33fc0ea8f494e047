import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getDb } from "@/db/client";
import { appRouter } from "@/server/api/root";
import { getSessionUser } from "@/server/auth/session";
import { systemClock } from "@/server/clock";
import { logger } from "@/server/observability";

const handler = async (request: Request) =>
  fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: async () => ({ db: await getDb(), clock: systemClock, user: await getSessionUser() }),
    onError: ({ path, error }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") logger.error({ err: error.cause ?? error, component: "trpc", path: path ?? null }, "tRPC procedure failed");
    },
  });

export { handler as GET, handler as POST };
