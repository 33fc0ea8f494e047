import { z, type ZodType } from "zod";
import { describeUnsafeText, unsafeTextKind } from "@/lib/safe-text";
import { isDomainError } from "@/server/errors";

/**
 * A console list's view as the URL carries it (the DataTable's nuqs state): `q`, `sort`, `dir`,
 * `cursor` and one parameter per filter. The page and the CSV export read the same URL through
 * here into the list function's input, parsed by the list's own zod schema.
 */
export type UrlParams = Record<string, string | string[] | undefined> | URLSearchParams;

const renamed: Record<string, string> = { q: "search", dir: "direction" };
const ignored = new Set(["hide", "format"]);

export function viewParams(params: UrlParams): Record<string, string> {
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  const result: Record<string, string> = {};
  for (const [name, raw] of entries) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value === "" || ignored.has(name)) continue;
    result[renamed[name] ?? name] = value;
  }
  return result;
}

export type ViewParseResult<Input> = { ok: true; input: Input } | { ok: false; param: string; message: string };

/** Parses the URL's view with `schema`; a refusal names the parameter in the URL's terms (`q`, `dir`). */
export function parseView<Input>(schema: ZodType<Input>, params: UrlParams, overrides: Record<string, unknown> = {}): ViewParseResult<Input> {
  const values = viewParams(params);
  // Text no query can take (a NUL) is refused here, by name, before the list function sees it.
  for (const [name, value] of Object.entries(values)) {
    const kind = unsafeTextKind(name) ?? unsafeTextKind(value);
    if (kind) {
      const param = Object.entries(renamed).find(([, renamedTo]) => renamedTo === name)?.[0] ?? name;
      return { ok: false, param, message: describeUnsafeText({ kind, path: [] }, param) };
    }
  }
  const parsed = schema.safeParse({ ...values, ...overrides });
  if (parsed.success) return { ok: true, input: parsed.data };
  const issue = parsed.error.issues[0];
  const path = String(issue?.path[0] ?? "input");
  const param = Object.entries(renamed).find(([, name]) => name === path)?.[0] ?? path;
  return { ok: false, param, message: describeIssue(param, issue, values[path]) };
}

/** A refused URL parameter in words a person can act on: what the link says and what it may say. */
function describeIssue(param: string, issue: z.core.$ZodIssue | undefined, value: string | undefined): string {
  const shown = value === undefined ? "" : ` “${value.length > 40 ? `${value.slice(0, 40)}…` : value}”`;
  if (issue?.code === "invalid_value") return `The link's ${param}${shown} is not one of ${issue.values.map(String).join(", ")}.`;
  if (issue?.code === "too_big") return `The link's ${param} is too long.`;
  if (issue?.code === "invalid_format" || issue?.code === "invalid_type") return `The link's ${param}${shown} is not in the form this list takes.`;
  return `The link's ${param}${shown} is not valid${issue?.message ? ` (${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)})` : ""}.`;
}

/** For a page: a stale or foreign cursor is answered with the first page and a word, not an error page. */
export async function loadView<Input extends { cursor?: string | undefined }, Page>(
  input: Input,
  load: (input: Input) => Promise<Page>,
): Promise<{ page: Page; error: string | null }> {
  try {
    return { page: await load(input), error: null };
  } catch (error) {
    const domain = isDomainError(error) ? error : error instanceof Error && isDomainError(error.cause) ? error.cause : undefined;
    if (domain?.code !== "cursor_invalid" || !input.cursor) throw error;
    return { page: await load({ ...input, cursor: undefined }), error: "That page link is no longer valid for this view; showing the first page." };
  }
}

/** URL numbers arrive as text. */
export const urlLimit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);
