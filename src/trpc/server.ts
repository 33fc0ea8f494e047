import "server-only";
import { cache } from "react";
import { getDb } from "@/db/client";
import { createCaller } from "@/server/api/root";
import { getSessionUser } from "@/server/auth/session";
import { systemClock } from "@/server/clock";

/** A tRPC caller for server components: same procedures, same permission checks, no HTTP hop. */
export const getServerApi = cache(async () =>
  createCaller({ db: await getDb(), clock: systemClock, user: await getSessionUser() }),
);
