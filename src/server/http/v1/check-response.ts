import type { AnyOperation } from "./operation";

/** On outside production (development, tests) unless TALLY_CHECK_RESPONSES=off; in production only with TALLY_CHECK_RESPONSES=on. */
function checking(): boolean {
  const setting = process.env.TALLY_CHECK_RESPONSES;
  if (setting === "on") return true;
  if (setting === "off") return false;
  return process.env.NODE_ENV !== "production";
}

/**
 * The handler's answer, checked against the schema the spec publishes for that status: a
 * handler that returns what the spec does not describe fails loudly (500, logged) in development
 * and every test, instead of drifting from the documentation. Production skips the check.
 */
export function checkResponse(operation: AnyOperation, status: number, body: unknown): unknown {
  if (!checking()) return body;
  const schema = (operation.responses as Record<number, { safeParse: (value: unknown) => { success: boolean; error?: { issues: unknown[] } } } | undefined>)[status];
  if (!schema) throw new Error(`${operation.id} answered ${status}, which its spec does not document`);
  const parsed = schema.safeParse(JSON.parse(JSON.stringify(body)));
  if (!parsed.success) throw new Error(`${operation.id} answered ${status} with a body its spec does not describe: ${JSON.stringify(parsed.error?.issues.slice(0, 3))}`);
  return body;
}
