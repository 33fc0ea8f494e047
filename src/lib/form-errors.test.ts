import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { reasonSchema } from "./reason";
import { describeError } from "@/components/console/use-mutation-error";
import { describeIssue, describeIssueWithField, fieldLabel, formErrorMap } from "./form-errors";

const schema = z.object({
  name: z.string().trim().min(1).max(20),
  email: z.email(),
  seats: z.number().int().min(1).max(500),
  plans: z.array(z.string()).min(1),
  reason: reasonSchema,
  kind: z.enum(["individual", "team"]),
});

function messages(input: unknown, error?: typeof formErrorMap): Record<string, string> {
  const result = schema.safeParse(input, error ? { error: error as never } : undefined);
  if (result.success) return {};
  return Object.fromEntries(result.error.issues.map((issue) => [issue.path.join("."), issue.message]));
}

describe("form errors in words", () => {
  it("turns zod's default messages into sentences and keeps the ones a schema's author wrote", () => {
    const bad = { name: "", email: "not-an-email", seats: 0, plans: [], reason: "x", kind: "org" };
    expect(messages(bad, formErrorMap)).toEqual({
      name: "This is required.",
      email: "Enter an email address, like name@example.com.",
      seats: "Enter 1 or more.",
      plans: "Choose at least one.",
      reason: "Say why (at least 3 characters).",
      kind: "Choose one of: individual, team.",
    });
    expect(messages({ ...bad, name: "x".repeat(21), seats: 501 }, formErrorMap)).toMatchObject({ name: "Use at most 20 characters.", seats: "Enter 500 or less." });
    expect(messages({}, formErrorMap).name).toBe("This is required.");
  });

  it("describes issues that come back from the server (JSON, zod's English text) the same way", () => {
    // What tRPC's errorFormatter sends: the issues as JSON, with zod's default messages.
    const serverIssues = schema.safeParse({ name: "", email: "a", seats: 1.5, plans: ["p"], reason: "no", kind: "team" }).error!.issues;
    const described = JSON.parse(JSON.stringify(serverIssues)).map((issue: never) => describeIssueWithField(issue));
    expect(described).toEqual([
      "Name: this is required.",
      "Email: enter an email address, like name@example.com.",
      "Seats: enter a number.",
      "Reason: say why (at least 3 characters).",
    ]);
  });

  it("never shows a raw key or an issue code, whatever the issue", () => {
    const codes = ["invalid_type", "too_small", "too_big", "invalid_format", "invalid_value", "invalid_union", "unrecognized_keys", "custom", "not_multiple_of", "something_new"];
    fc.assert(
      fc.property(fc.constantFrom(...codes), fc.constantFrom("string", "number", "array", "date", undefined), fc.integer({ min: 0, max: 1000 }), (code, origin, bound) => {
        const text = describeIssueWithField({ code, origin, minimum: bound, maximum: bound, path: ["endsAt"], message: `Invalid input: ${code}` });
        expect(text).not.toContain("endsAt");
        expect(text).not.toContain(code);
        expect(text).toMatch(/^Ends at: .+\.$/);
      }),
    );
  });

  it("names nested fields in words", () => {
    expect(fieldLabel(["usagePrices", 0, "price", "unitPrice"])).toBe("Usage prices › 1 › price › unit price");
    expect(fieldLabel(["baseFeePerSeatMicros"])).toBe("Base fee per seat");
    expect(describeIssue({ code: "custom", message: "Tiers must increase" })).toBe("Tiers must increase.");
  });

  it("describes a plain error by its message", () => {
    expect(describeError(new Error("The customer is archived."))).toBe("The customer is archived.");
    expect(describeError(null)).toBeNull();
  });
});
