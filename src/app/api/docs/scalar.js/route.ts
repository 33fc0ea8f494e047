import fs from "node:fs/promises";
import path from "node:path";

export const runtime = "nodejs";

let bundle: Promise<Buffer> | undefined;

/** The Scalar API reference bundle from node_modules (@scalar/api-reference, pinned), so /api/docs needs no CDN. */
export async function GET(): Promise<Response> {
  bundle ??= fs.readFile(path.join(/* turbopackIgnore: true */ process.cwd(), "node_modules/@scalar/api-reference/dist/browser/standalone.js"));
  const body = await bundle.catch((error: unknown) => {
    bundle = undefined;
    throw error;
  });
  return new Response(new Uint8Array(body), { headers: { "content-type": "application/javascript; charset=utf-8", "cache-control": "public, max-age=86400" } });
}
