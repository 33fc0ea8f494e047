import type { z } from "zod";
import { DomainError } from "@/server/errors";

/** Parses a use case's input; a refusal names every field that is wrong. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message }));
  const first = issues[0];
  throw new DomainError(
    "invalid",
    "invalid_input",
    first ? `${first.path.join(".") || "input"}: ${first.message}` : "The input is invalid.",
    { issues },
  );
}
