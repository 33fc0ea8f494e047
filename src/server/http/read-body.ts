import { DomainError } from "@/server/errors";

/**
 * Reads a request body as UTF-8 text, refusing it with 413 as soon as it passes `maxBytes`
 * (checked against Content-Length first, then while streaming, so an oversized body is
 * never buffered whole).
 */
export async function readBodyText(request: Request, options: { maxBytes: number }): Promise<string> {
  const tooLarge = () =>
    new DomainError("too_large", "body_too_large", `The request body is larger than ${options.maxBytes} bytes; send smaller batches.`, {
      maxBytes: options.maxBytes,
    });
  const declared = Number(request.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > options.maxBytes) throw tooLarge();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > options.maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString("utf8");
}

/** JSON.parse with a 400 a client can act on. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DomainError("invalid", "invalid_json", "The request body is not valid JSON.");
  }
}
