import { type z } from "zod";
import { DomainError } from "@/server/errors";
import { parseJson } from "../read-body";

/** The first problem of a zod parse as a 400 naming the parameter: `parameter_missing`, `parameter_unknown` or `parameter_invalid`. */
export function invalidParameter(error: z.ZodError, where: "body" | "query" | "path", input?: unknown): DomainError {
  const issue = error.issues[0]!;
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    const param = [...path, issue.keys[0] ?? ""].filter(Boolean).join(".");
    return new DomainError("invalid", "parameter_unknown", `\`${param}\` is not a parameter of this request${where === "query" ? " (query string)" : ""}; check its spelling against the API reference.`, undefined, { param });
  }
  const param = path.join(".") || (where === "body" ? "body" : where);
  // zod 4 leaves the input out of its issues: look the value up (absent is "missing").
  const missing = issue.code === "invalid_type" && valueAt(input, issue.path) === undefined;
  if (missing) return new DomainError("invalid", "parameter_missing", `\`${param}\` is required.`, undefined, { param });
  return new DomainError("invalid", "parameter_invalid", `\`${param}\` is invalid: ${issue.message}.`, undefined, { param });
}

export function parseWith<T extends z.ZodType>(schema: T, value: unknown, where: "body" | "query" | "path"): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidParameter(parsed.error, where, value);
  return parsed.data;
}

/** Query strings as an object: a repeated key becomes an array. */
export function queryObject(search: string): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(search)) {
    const existing = result[key];
    result[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return result;
}

/** A JSON request body: empty means `{}`; anything but an object is refused. */
export function jsonBody(text: string, contentType: string | null): unknown {
  if (text.trim() === "") return {};
  if (contentType !== null && !/^application\/(json|[\w.+-]+\+json)\b/i.test(contentType.trim())) {
    throw new DomainError("invalid", "unsupported_content_type", `Send the body as JSON (Content-Type: application/json), not ${contentType.slice(0, 60)}.`, undefined, { param: "Content-Type" });
  }
  const value = parseJson(text);
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new DomainError("invalid", "invalid_body", "The request body must be a JSON object.", undefined, { param: "body" });
  return value;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
