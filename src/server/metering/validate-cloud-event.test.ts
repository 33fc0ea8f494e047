import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cloudEventSchema, hasValidAttributes, parseCanonicalTime, parseRfc3339, validateCloudEvent } from "./validate-cloud-event";

const receivedAtMs = Date.parse("2026-06-15T12:00:00.000Z");

describe("validateCloudEvent's fast paths", () => {
  it("the hand-written attribute check accepts exactly what the schema accepts", () => {
    const text = (lengthMax: number) => fc.oneof(fc.string({ maxLength: lengthMax + 2 }), fc.constant(""), fc.string({ minLength: lengthMax - 1, maxLength: lengthMax + 1 }));
    const anything = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.boolean(), fc.string({ maxLength: 4 }), fc.object());
    const attribute = (lengthMax: number) => fc.oneof(text(lengthMax), anything);
    fc.assert(
      fc.property(
        fc.record(
          {
            specversion: fc.oneof(fc.constant("1.0"), attribute(16)),
            id: attribute(256),
            source: attribute(512),
            type: attribute(256),
            subject: attribute(256),
            time: attribute(64),
            datacontenttype: attribute(128),
            data: anything,
            data_base64: anything,
          },
          { requiredKeys: [] },
        ),
        (raw) => {
          expect(hasValidAttributes(raw)).toBe(cloudEventSchema.safeParse(raw).success);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("reads canonical times as Date does, and leaves every other form to parseRfc3339", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date("1000-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59.999Z"), noInvalidDate: true }), (date) => {
        expect(parseCanonicalTime(date.toISOString())).toBe(date.getTime());
      }),
    );
    const nearCanonical = fc
      .tuple(fc.date({ noInvalidDate: true, min: new Date("1000-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59.999Z") }), fc.nat(23), fc.constantFrom(..."0123456789-:.TZtz +"))
      .map(([date, at, character]) => {
        const iso = date.toISOString();
        return iso.slice(0, at) + character + iso.slice(at + 1);
      });
    fc.assert(
      fc.property(nearCanonical, (value) => {
        const canonical = parseCanonicalTime(value);
        // The same instant the general parser reads; a canonical form (from year 1000) it never leaves to it.
        if (canonical !== null) expect(canonical).toBe(parseRfc3339(value));
        else if (/^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value)) expect(parseRfc3339(value)).toBeNull();
      }),
      { numRuns: 2_000 },
    );
  });

  it("stores a canonical time as sent and any other accepted form in canonical UTC", () => {
    const event = (time: string) => ({ specversion: "1.0", id: "e", source: "s", type: "t", subject: "c", time, data: {} });
    const stored = (time: string) => {
      const validation = validateCloudEvent(event(time), receivedAtMs);
      return validation.ok ? validation.event.time : validation.code;
    };
    expect(stored("2026-06-15T11:59:59.123Z")).toBe("2026-06-15T11:59:59.123Z");
    expect(stored("2026-06-15T13:59:59.1+02:00")).toBe("2026-06-15T11:59:59.100Z");
    expect(stored("2026-06-15t11:59:59z")).toBe("2026-06-15T11:59:59.000Z");
    expect(stored("2026-02-30T11:59:59.123Z")).toBe("invalid_time");
    expect(stored("2026-06-15T24:00:00.000Z")).toBe("invalid_time");
    expect(stored("2026-06-15T12:06:00.000Z")).toBe("in_future");
    expect(stored("2026-01-01T00:00:00.000Z")).toBe("too_late");
  });
});
