import { describe, expect, it } from "vitest";
import { createCsvStringifier, escapeCsvFormula } from "./csv";

async function csv(columns: string[], rows: unknown[][]): Promise<string> {
  const writer = createCsvStringifier(columns);
  for (const row of rows) writer.write(row);
  writer.end();
  let out = "";
  for await (const chunk of writer) out += String(chunk);
  return out;
}

describe("CSV formula escaping (issue 16 #12)", () => {
  it("escapes every formula lead, keeps numbers and ordinary text", () => {
    for (const payload of ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://evil.example\")", "-", "--1"]) {
      expect(escapeCsvFormula(payload)).toBe(`'${payload}`);
    }
    for (const plain of ["-12.500000", "12", "0.000001", "-3", "Acme Inc", "", "a=b", "'=already"]) expect(escapeCsvFormula(plain)).toBe(plain);
  });

  it("applies to every string cell the writer writes", async () => {
    const text = await csv(["name", "amount"], [["=1+1", "-1.500000"], ["@cmd", "2.000000"], ["ok", "+5 apples"]]);
    expect(text).toBe("name,amount\n'=1+1,-1.500000\n'@cmd,2.000000\nok,'+5 apples\n");
  });
});
