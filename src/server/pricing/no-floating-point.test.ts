import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/** Money and quantities never pass through JS numbers in the pricing engine. */
describe("pricing source", () => {
  it("uses no floating-point conversions on money or quantities", () => {
    const folder = import.meta.dirname;
    const sources = fs.readdirSync(folder).filter((file) => file.endsWith(".ts") && !file.includes(".test"));
    expect(sources.length).toBeGreaterThan(3);
    for (const file of sources) {
      const text = fs.readFileSync(path.join(folder, file), "utf8");
      expect({ file, hits: text.match(/parseFloat|parseInt|Math\.(round|floor|ceil)|Number\(|\.toNumber\(\)|toFixed\(\d/g) }).toEqual({ file, hits: null });
    }
  });
});
