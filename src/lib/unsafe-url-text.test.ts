import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findUnsafeUrlText } from "./unsafe-url-text";

describe("findUnsafeUrlText", () => {
  it("names the first parameter holding a NUL, in its value or its name", () => {
    expect(findUnsafeUrlText(new URLSearchParams("q=%00'<script>"))).toMatchObject({ param: "q" });
    expect(findUnsafeUrlText(new URLSearchParams("status=open&cursor=ab%00cd"))?.message).toMatch(/“cursor” parameter contains a NUL character/);
    expect(findUnsafeUrlText(new URLSearchParams("a%00b=1"))).toMatchObject({ param: "ab" });
  });

  it("lets every link without a NUL through, whatever else it holds", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.string())), (pairs) => {
        const search = new URLSearchParams();
        for (const [name, value] of pairs) search.append(name.replaceAll("\u0000", ""), value.replaceAll("\u0000", ""));
        // URLSearchParams turns unpaired surrogates into U+FFFD, so what is left is always usable.
        expect(findUnsafeUrlText(search)).toBeNull();
      }),
    );
  });
});
