import fs from "node:fs";
import path from "node:path";

export type Figure = { value: number; unit: string };
export type Figures = Record<string, Figure>;

/** Prints `name: value unit` lines and writes bench/results/<suite>.json. */
export function reportFigures(suite: string, figures: Figures): void {
  for (const [name, figure] of Object.entries(figures)) {
    console.log(`${name}: ${formatValue(figure.value)} ${figure.unit}`);
  }
  const directory = path.resolve(import.meta.dirname, "results");
  fs.mkdirSync(directory, { recursive: true });
  fs.writeFileSync(path.join(directory, `${suite}.json`), `${JSON.stringify({ suite, figures }, null, 2)}\n`);
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

export function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}
