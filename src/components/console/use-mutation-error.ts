import { TRPCClientError } from "@trpc/client";
import { describeIssueWithField, type IssueLike } from "@/lib/form-errors";

/** The server's zod issues, when a call failed on its input. */
export function serverIssues(error: unknown): IssueLike[] {
  if (!(error instanceof TRPCClientError)) return [];
  const data = error.data as { zodIssues?: IssueLike[] | null } | undefined;
  return data?.zodIssues ?? [];
}

/**
 * A sentence a person can act on, from any failed call: the server's message, or the first invalid
 * field named in words ("Reason: use at least 3 characters."), never a raw key or issue code.
 * `labels` names fields by their path (`{ "terms.trialDays": "Trial days" }`).
 */
export function describeError(error: unknown, labels: Record<string, string> = {}): string | null {
  if (!error) return null;
  const issue = serverIssues(error)[0];
  if (issue) return describeIssueWithField(issue, labels);
  if (error instanceof TRPCClientError) return error.message;
  return error instanceof Error ? error.message : "Something went wrong. Try again.";
}
