import { TRPCClientError } from "@trpc/client";

/** A sentence a person can act on, from any failed call: the server's message, or the first invalid field. */
export function describeError(error: unknown): string | null {
  if (!error) return null;
  if (error instanceof TRPCClientError) {
    const data = error.data as { zodIssues?: { path: (string | number)[]; message: string }[] | null } | undefined;
    const issue = data?.zodIssues?.[0];
    if (issue) return `${issue.path.join(".") || "Input"}: ${issue.message}`;
    return error.message;
  }
  return error instanceof Error ? error.message : "Something went wrong. Try again.";
}
