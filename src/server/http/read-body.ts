import { describeUnsafeText, findUnsafeText } from "@/lib/safe-text";
import { DomainError } from "@/server/errors";
import { collectBody } from "./api-exchange";

/**
 * Reads a request body as UTF-8 text, refusing it with 413 as soon as it passes `maxBytes`
 * (checked against Content-Length first, then while streaming, so an oversized body is
 * never buffered whole).
 */
export async function readBodyText(request: Request, options: { maxBytes: number }): Promise<string> {
  const reader = request.body?.getReader();
  if (!reader) return "";
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const { done, value } = await reader!.read();
      if (done) return;
      yield value;
    }
  }
  return collectBody(chunks(), {
    maxBytes: options.maxBytes,
    declaredLength: request.headers.get("content-length"),
    cancel: () => void reader.cancel().catch(() => {}),
  });
}

/**
 * JSON.parse with a 400 a client can act on, for a body that is one request (not a batch of
 * items judged one by one): text PostgreSQL cannot store anywhere in it (NUL, unpaired
 * surrogates) or nesting past 32 levels is `invalid_text`, before any of it reaches a query.
 */
export function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new DomainError("invalid", "invalid_json", "The request body is not valid JSON.", undefined, { param: "body" });
  }
  const problem = findUnsafeText(value, { depthMax: 32 });
  if (problem) throw new DomainError("invalid", "invalid_text", describeUnsafeText(problem, "body", 32), undefined, { param: "body" });
  return value;
}

/** A path segment as the route received it (decoded), refused with 400 `invalid_path` when PostgreSQL could not store it. */
export function safePathParam(value: string, name: string): string {
  const problem = findUnsafeText(value, { depthMax: 1 });
  if (problem || value.length > 512) {
    throw new DomainError("invalid", "invalid_path", problem ? describeUnsafeText(problem, name) : `${name} is longer than 512 characters.`);
  }
  return value;
}
