import { unsafeTextKind } from "@/lib/safe-text";

export type UnsafeUrlText = { param: string; message: string };

/**
 * The first query parameter of a page's URL whose name or value holds text Tally cannot use: a
 * NUL (`%00`), which PostgreSQL cannot store and no form can type, or an unpaired surrogate.
 * Such a link is refused whole with 400 and a sentence before any page reads it (a page would pass
 * the text on to a query and fail there).
 */
export function findUnsafeUrlText(search: URLSearchParams): UnsafeUrlText | null {
  for (const [name, value] of search) {
    const kind = unsafeTextKind(name) ?? unsafeTextKind(value);
    if (!kind) continue;
    const what = kind === "nul" ? "a NUL character (%00)" : "an unpaired UTF-16 surrogate";
    const param = name.replace(/[\u0000-\u001f]/g, "").slice(0, 40);
    return { param, message: `The link's “${param}” parameter contains ${what}, which Tally cannot use. Remove it from the address and try again.` };
  }
  return null;
}
