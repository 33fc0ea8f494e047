const placeholderOrigin = "http://tally.invalid";

/**
 * `value` as a path on this site (path, query and fragment), or `fallback` when it would lead
 * anywhere else. Parsed with URL, as a browser would resolve it, so `//host`, `/\host`, `\\host`,
 * a tab or newline inside `//`, `https:`, `javascript:` and their encoded forms never escape;
 * the answer is rebuilt from the parsed parts and never begins with two slashes.
 */
export function sameOriginPath(value: string | null | undefined, fallback = "/"): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 2_048) return fallback;
  // Only a path may come in; a browser strips tab/newline anywhere and reads `\` as `/`.
  if (!value.startsWith("/") || /[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, placeholderOrigin);
  } catch {
    return fallback;
  }
  if (url.origin !== placeholderOrigin) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith("//") || path.startsWith("/\\") ? fallback : path;
}
