/**
 * The tRPC layer in one file, in this order: context, initialisation, procedures.
 * Routers are thin: parse input (zod, with bounds), call one domain function, return.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import type { Db } from "@/db/client";
import { isDatabaseUnavailableError, isInvalidInputError } from "@/db/errors";
import { describeUnsafeText, findUnsafeText } from "@/lib/safe-text";
import type { Role } from "@/db/schema";
import type { Actor } from "@/server/audit/actor";
import type { Clock } from "@/server/clock";
import { DomainError, isDomainError } from "@/server/errors";
import { getRequestId } from "@/server/observability/request-context";
import { toTrpcError } from "./errors";
import { can, type Permission } from "./permissions";

// 1. Context

export type SessionUser = { id: string; email: string; name: string; role: Role };

export type Context = {
  db: Db;
  clock: Clock;
  /** Re-read from the database on every request, so a changed role or a disabled user takes effect at once. */
  user: SessionUser | null;
};

export type AuthorizedContext = Context & { user: SessionUser; actor: Actor };

// 2. Initialisation

/** Only `next dev` shows an internal error's own message (the developer's console); production and tests never do. */
const exposeInternalErrors = process.env.NODE_ENV === "development";

export type ProcedureMeta = { permission: Permission | "public" };

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error }) {
      const domain = isDomainError(error.cause) ? error.cause : undefined;
      const requestId = getRequestId() ?? null;
      // A failure of ours (a query that broke, a bug) carries SQL, parameters, customers' emails:
      // the browser gets a code and the request id; the route's onError logs the detail under that id.
      const hidden = shape.data.code === "INTERNAL_SERVER_ERROR" && !domain && !exposeInternalErrors;
      return {
        ...shape,
        message: hidden ? `Something went wrong on our side; retry, or quote request ${requestId ?? "(no id)"} to support.` : shape.message,
        data: {
          ...shape.data,
          stack: undefined,
          requestId,
          domainCode: domain?.code ?? (hidden ? "internal_error" : null),
          zodIssues: error.cause instanceof ZodError ? error.cause.issues.slice(0, 20) : null,
        },
      };
    },
  });

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;

const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && isDomainError(result.error.cause)) {
    throw toTrpcError(result.error.cause);
  }
  if (!result.ok && isDatabaseUnavailableError(result.error.cause)) {
    throw toTrpcError(new DomainError("unavailable", "database_unavailable", "The database is unavailable right now; retry in a few seconds."));
  }
  // A value the database refused (a NUL that slipped past validation): the caller's input, a 400.
  if (!result.ok && isInvalidInputError(result.error.cause)) {
    throw toTrpcError(new DomainError("invalid", "invalid_input", "The input holds a value that cannot be stored (e.g. a NUL character or malformed text)."));
  }
  return result;
});

/**
 * Every procedure's raw input, before its schema: text PostgreSQL cannot store (NUL, unpaired
 * surrogates) anywhere in it, or nesting past 32 levels, is a 400 `invalid_text` — one guard for
 * every search box and name field instead of a refinement per field.
 */
const rejectUnsafeInput = t.middleware(async ({ getRawInput, next }) => {
  const problem = findUnsafeText(await getRawInput(), { depthMax: 32 });
  if (problem) throw toTrpcError(new DomainError("invalid", "invalid_text", describeUnsafeText(problem, "input", 32)));
  return next();
});

// 3. Procedures

/** Only for what an anonymous visitor may see (nothing about customers or money). */
export const publicProcedure = t.procedure.meta({ permission: "public" }).use(mapDomainErrors).use(rejectUnsafeInput);

/**
 * A procedure that requires a signed-in user whose role grants `permission`. The check runs
 * before input parsing, so a denied caller learns nothing about the input's shape.
 */
export function authorizedProcedure(permission: Permission) {
  return t.procedure
    .meta({ permission })
    .use(mapDomainErrors)
    .use(({ ctx, next }) => {
      if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
      if (!can(ctx.user.role, permission)) {
        throw new TRPCError({
          code: "FORBIDDEN",
          message: `Your role (${ctx.user.role}) does not allow this (needs ${permission}).`,
        });
      }
      const actor: Actor = { type: "user", id: ctx.user.id, label: ctx.user.email };
      return next({ ctx: { ...ctx, user: ctx.user, actor } satisfies AuthorizedContext });
    })
    .use(rejectUnsafeInput);
}
