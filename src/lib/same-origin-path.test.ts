import { describe, expect, it } from "vitest";
import { sameOriginPath } from "./same-origin-path";

/*
 * Defect #4 of issue 16: /sign-in?callbackUrl=/%5Clocalhost:3999/phish sent people off-site after
 * sign-in. The value arrives decoded once (Next's searchParams), so the encoded payloads below are
 * what a second decoding layer or a browser would see. Every answer must resolve, in a browser, to
 * this site: checked with URL against a real origin.
 */

const offSite = [
  "//evil.example/phish",
  "/\\evil.example/phish",
  "\\\\evil.example/phish",
  "/\\/evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r\n/evil.example",
  "\t//evil.example",
  " //evil.example",
  "https://evil.example/phish",
  "http:evil.example",
  "javascript:alert(1)",
  "JaVaScRiPt:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "/.//evil.example",
  "/./\\evil.example",
  "///evil.example",
  "/%5Cevil.example",
  "/%5C%5Cevil.example",
  "//%5Cevil.example",
  "/%09/evil.example",
  "/%2F/evil.example",
  "https:/\\evil.example",
  "evil.example",
  "@evil.example",
  "/\u3000/evil.example",
  "/\u0000/evil.example",
  "",
];

const origin = "http://localhost:3110";

describe("sameOriginPath", () => {
  it.each(offSite)("keeps %j on this site", (payload) => {
    const path = sameOriginPath(payload);
    expect(path.startsWith("/")).toBe(true);
    expect(path.startsWith("//")).toBe(false);
    expect(new URL(path, origin).origin).toBe(origin);
    // What a browser does with it as a location (backslashes and tabs as a browser reads them).
    expect(new URL(path.replace(/\\/g, "/").replace(/[\t\n\r]/g, ""), origin).origin).toBe(origin);
  });

  it("refuses the reported payload outright", () => {
    expect(sameOriginPath("/\\localhost:3999/phish")).toBe("/");
    expect(sameOriginPath("//evil.example")).toBe("/");
    expect(sameOriginPath("/\t/evil.example")).toBe("/");
  });

  it("keeps ordinary paths with their query and fragment", () => {
    expect(sameOriginPath("/customers/cus_1?tab=usage#grants")).toBe("/customers/cus_1?tab=usage#grants");
    expect(sameOriginPath("/ledger")).toBe("/ledger");
    expect(sameOriginPath("/reports?from=2026-11-01&to=2026-12-01")).toBe("/reports?from=2026-11-01&to=2026-12-01");
    expect(sameOriginPath(undefined)).toBe("/");
    expect(sameOriginPath("https://evil.example", "/home")).toBe("/home");
  });
});
