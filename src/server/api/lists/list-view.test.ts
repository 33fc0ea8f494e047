import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseView } from "./list-view";

const schema = z.object({ status: z.enum(["draft", "active"]).optional(), search: z.string().max(10).optional(), limit: z.coerce.number().int().optional() });

describe("parseView", () => {
  it("reads the URL's view into the list's input, renaming q", () => {
    expect(parseView(schema, { status: "active", q: "acme" })).toEqual({ ok: true, input: { status: "active", search: "acme" } });
  });

  it("refuses a bad parameter in words, naming it as the URL does and saying what it may be", () => {
    expect(parseView(schema, { status: "zzz" })).toEqual({ ok: false, param: "status", message: "The link's status “zzz” is not one of draft, active." });
    expect(parseView(schema, { q: "x".repeat(11) })).toMatchObject({ ok: false, param: "q", message: "The link's q is too long." });
    const refused = parseView(schema, { limit: "ten" });
    expect(refused).toMatchObject({ ok: false, param: "limit" });
    if (!refused.ok) expect(refused.message).not.toMatch(/invalid_|expected/i);
    expect(parseView(schema, { q: "a\u0000b" })).toMatchObject({ ok: false, param: "q" });
  });
});
