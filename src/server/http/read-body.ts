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

/** JSON.parse with a 400 a client can act on. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DomainError("invalid", "invalid_json", "The request body is not valid JSON.");
  }
}
