import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getDb } from "@/db/client";
import { appRouter } from "@/server/api/root";
import { getSessionUser } from "@/server/auth/session";
import { systemClock } from "@/server/clock";
import { crossOriginProblem, crossOriginResponse } from "@/server/http/same-origin";
import { logger } from "@/server/observability";

const handler = async (request: Request) => {
  // Mutations are POSTs; a browser page on another site must not drive them with our cookie.
  if (request.method !== "GET" && request.method !== "HEAD") {
    const problem = crossOriginProblem(request.headers);
    if (problem) return crossOriginResponse(problem);
  }
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: async () => ({ db: await getDb(), clock: systemClock, user: await getSessionUser() }),
    onError: ({ path, error }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") logger.error({ err: error.cause ?? error, component: "trpc", path: path ?? null }, "tRPC procedure failed");
    },
  });
};

export { handler as GET, handler as POST };
