import { stringify, type Stringifier } from "csv-stringify";

/** A plain decimal number (an amount like `-12.500000`), which a spreadsheet reads as a number, not a formula. */
const plainNumber = /^-?\d+(\.\d+)?$/;

/**
 * A text cell a spreadsheet would run as a formula (leading `=`, `+`, `-`, `@`, tab or carriage
 * return: CSV injection) gets a leading apostrophe, so it is shown as text. Plain decimal numbers
 * are left alone so negative amounts stay numbers.
 */
export function escapeCsvFormula(value: string): string {
  if (!/^[=+\-@\t\r]/.test(value) || plainNumber.test(value)) return value;
  return `'${value}`;
}

/**
 * Every CSV export's writer (ledger journal and trial balance, report exports, the close
 * package): csv-stringify with a header row, and every string cell passed through
 * escapeCsvFormula. The library's own `escape_formulas` also escapes negative amounts written as
 * text, which a finance export cannot have.
 */
export function createCsvStringifier(columns: string[]): Stringifier {
  return stringify({ header: true, columns, cast: { string: escapeCsvFormula } });
}
