import type { Db } from "@/db/client";
import type { Clock } from "@/server/clock";

export type JobContext = {
  db: Db;
  clock: Clock;
  /** Progress for a person watching the command line. */
  log: (message: string) => void;
};

export type JobArgs = Record<string, string | boolean>;

export type JobDefinition = {
  name: string;
  description: string;
  /** Returns a summary printed as JSON; throws DomainError for a failure a person can act on. */
  run: (context: JobContext, args: JobArgs) => Promise<Record<string, unknown>>;
};
