import pino, { type DestinationStream, type Level, type Logger } from "pino";
import { getRequestContext } from "./request-context";

/*
 * The process's structured logger: JSON lines on stdout, one per event, each with `time`,
 * `level` (a label), `msg`, and — inside a request, job or worker run — `requestId` (and `job`),
 * read from the request context. Errors go under `err` (pino's serializer keeps type, message,
 * stack and a DomainError's code).
 *
 * Level: LOG_LEVEL (trace, debug, info, warn, error, fatal, silent); default `info` in
 * production, `warn` in development (quiet console: no per-request lines), `silent` under
 * vitest.
 */

const levels: readonly string[] = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

export function defaultLogLevel(environment: { LOG_LEVEL?: string; NODE_ENV?: string; VITEST?: string }): Level | "silent" {
  const configured = environment.LOG_LEVEL?.trim().toLowerCase();
  if (configured && levels.includes(configured)) return configured as Level | "silent";
  if (environment.VITEST) return "silent";
  return environment.NODE_ENV === "production" ? "info" : "warn";
}

/** A logger of this shape; `destination` for tests (default stdout). */
export function createLogger(options: { level?: Level | "silent"; destination?: DestinationStream } = {}): Logger {
  const config: pino.LoggerOptions = {
    level: options.level ?? defaultLogLevel(process.env),
    base: { service: "tally" },
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin() {
      const context = getRequestContext();
      if (!context) return {};
      return context.job ? { requestId: context.requestId, job: context.job } : { requestId: context.requestId };
    },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

// One logger per process (Next loads this module once per bundle).
const loggerKey = Symbol.for("tally.observability.logger");
const holder = globalThis as Record<symbol, unknown>;

/**
 * The root logger. Use `logger.child({ component: "stripe" })` for a part of the system, and
 * `logger.error({ err: error, ...fields }, "what failed")` for errors.
 */
export const logger: Logger = (holder[loggerKey] ??= createLogger()) as Logger;

export type { Logger };
