import { LosslessNumber, isLosslessNumber, parse as parseLossless, stringify as stringifyLossless } from "lossless-json";

/*
 * JSON whose numbers keep their exact value. JSON.parse reads every number as a double: 1e309
 * becomes Infinity (and then `null` when written back), 12345678901234567890 loses its last
 * digits, 0.1000000000000000000001 becomes 0.1. For usage values that is money lost without a
 * trace. A number whose text has at most 15 significant digits and no exponent reads back
 * exactly from its double (DBL_DIG = 15), so JSON.parse is exact for it; every other number is
 * kept as its text, in a LosslessNumber (the `lossless-json` library), and written back as
 * that text. One scan of the text outside strings finds such numbers and measures nesting, so
 * the usual body (small integers, short decimals) still costs one native JSON.parse.
 */

export { LosslessNumber, isLosslessNumber };

/** What one pass over a JSON text found (outside string literals). */
export type JsonTextScan = {
  /** A number that a double cannot hold exactly: an exponent, or more than 15 significant digits. */
  inexactNumbers: boolean;
  /** Deepest nesting of objects and arrays (a scalar is 0, `{}` is 1). */
  depthMax: number;
};

const quote = 34;
const backslash = 92;
const openBrace = 123;
const openBracket = 91;
const closeBrace = 125;
const closeBracket = 93;
const minus = 45;
const dot = 46;
const digit0 = 48;
const digit9 = 57;
const letterE = 101;
const letterUpperE = 69;
const plus = 43;

/** The significant-digit count at which a decimal may stop reading back exactly from a double. */
const exactDigitsMax = 15;

/**
 * Scans JSON text outside string literals: nesting depth and numbers a double cannot hold.
 * Meant for text JSON.parse accepts (on other text the answer is meaningless, never an error).
 */
export function scanJsonText(text: string): JsonTextScan {
  let depth = 0;
  let depthMax = 0;
  let inexactNumbers = false;
  const length = text.length;
  let index = 0;
  while (index < length) {
    const code = text.charCodeAt(index);
    if (code === quote) {
      index = stringEnd(text, index);
      continue;
    }
    if (code === openBrace || code === openBracket) {
      depth++;
      if (depth > depthMax) depthMax = depth;
      index++;
      continue;
    }
    if (code === closeBrace || code === closeBracket) {
      depth--;
      index++;
      continue;
    }
    if (code === minus || (code >= digit0 && code <= digit9)) {
      const end = numberEnd(text, index);
      if (!inexactNumbers && !isExactAsDouble(text, index, end)) inexactNumbers = true;
      index = end;
      continue;
    }
    index++;
  }
  return { inexactNumbers, depthMax };
}

/** The index just past the string literal that starts at `start` (text.length if unterminated). */
function stringEnd(text: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const close = text.indexOf('"', from);
    if (close === -1) return text.length;
    let backslashes = 0;
    for (let at = close - 1; at > start && text.charCodeAt(at) === backslash; at--) backslashes++;
    if (backslashes % 2 === 0) return close + 1;
    from = close + 1;
  }
}

function numberEnd(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if ((code >= digit0 && code <= digit9) || code === dot || code === letterE || code === letterUpperE || code === plus || code === minus) index++;
    else break;
  }
  return index;
}

/** Whether the number text in [start, end) reads back exactly from a double. */
function isExactAsDouble(text: string, start: number, end: number): boolean {
  let significant = 0;
  let leading = true;
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    if (code === letterE || code === letterUpperE) return false;
    if (code < digit0 || code > digit9) continue;
    if (leading && code === digit0) continue;
    leading = false;
    significant++;
  }
  return significant <= exactDigitsMax;
}

/** Whether a number's JSON text reads back exactly from a double (see scanJsonText). */
export function isNumberTextExactAsDouble(text: string): boolean {
  return isExactAsDouble(text, 0, text.length);
}

/**
 * Parses JSON text with exact numbers: numbers a double holds exactly are `number`s, the others
 * LosslessNumber (their text). Throws SyntaxError like JSON.parse for text that is not JSON.
 * Recursive for the numbers' sake: the caller bounds the nesting (JSON.parse alone has no limit).
 * A key repeated in an object keeps its last value, as JSON.parse does (the library would throw,
 * so the same text would be read or refused depending on whether it held an inexact number).
 */
export function parseJsonExact(text: string): unknown {
  return parseLossless(text, null, {
    parseNumber: (value) => (isExactAsDouble(value, 0, value.length) ? Number(value) : new LosslessNumber(value)),
    onDuplicateKey: ({ newValue }) => newValue,
  });
}

/**
 * A JSON value back to text: native JSON.stringify when `exact` is false (no LosslessNumber
 * inside), else with every LosslessNumber written as its own text.
 */
export function stringifyJsonExact(value: unknown, exact: boolean): string {
  return exact ? (stringifyLossless(value) ?? "null") : JSON.stringify(value);
}

/**
 * The top-level elements of a JSON array text, each as its own text (for a body whose elements
 * are taken or refused one by one). Assumes the text is a JSON array JSON.parse accepts.
 */
export function splitJsonArray(text: string): string[] {
  const elements: string[] = [];
  let depth = 0;
  let elementStart = -1;
  const length = text.length;
  for (let index = 0; index < length; ) {
    const code = text.charCodeAt(index);
    if (code === quote) {
      if (depth === 1 && elementStart === -1) elementStart = index;
      index = stringEnd(text, index);
      continue;
    }
    if (code === openBrace || code === openBracket) {
      depth++;
      if (depth === 2 && elementStart === -1) elementStart = index;
      index++;
      continue;
    }
    if (code === closeBrace || code === closeBracket) {
      if (depth === 1 && elementStart !== -1) {
        elements.push(text.slice(elementStart, index).trim());
        elementStart = -1;
      }
      depth--;
      index++;
      continue;
    }
    if (depth === 1 && code === 44 /* , */) {
      if (elementStart !== -1) elements.push(text.slice(elementStart, index).trim());
      elementStart = -1;
      index++;
      continue;
    }
    if (depth === 1 && elementStart === -1 && code > 32) elementStart = index;
    index++;
  }
  return elements;
}
