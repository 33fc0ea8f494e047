/**
 * Zod issues in words a person can act on: "Use at most 500 characters." rather than
 * "Too big: expected string to have <=500 characters", and never a raw field key or issue code.
 * Used by the console's forms (as the resolver's error map, so messages are written once, here)
 * and for issues that come back from the server (tRPC's `data.zodIssues`).
 */

/** The parts of a zod issue we read; both live issues and their JSON copies from the server fit. */
export type IssueLike = {
  code?: string;
  message?: string;
  path?: readonly PropertyKey[];
  input?: unknown;
  expected?: string;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  format?: string;
  values?: readonly unknown[];
  keys?: readonly string[];
  divisor?: number | bigint;
};

/** Messages zod writes itself (English locale); anything else was written by a schema's author and is kept. */
const defaultMessagePattern = /^(Invalid|Too small|Too big|Unrecognized key)/;

export function isDefaultZodMessage(message: string | undefined): boolean {
  return message === undefined || message === "" || defaultMessagePattern.test(message);
}

const plural = (count: number | bigint, one: string, many: string) => `${count.toString()} ${count.toString() === "1" ? one : many}`;

const formatSentences: Record<string, string> = {
  email: "Enter an email address, like name@example.com.",
  url: "Enter a full web address, like https://example.com.",
  uuid: "Choose an item from the list.",
  guid: "Choose an item from the list.",
  datetime: "Enter a date and time.",
  date: "Enter a date.",
  time: "Enter a time.",
  regex: "This is not in the expected format.",
  starts_with: "This does not start as expected.",
};

/** One issue as a sentence, without the field's name (it sits next to the field). */
export function describeIssue(issue: IssueLike): string {
  if (!isDefaultZodMessage(issue.message)) return sentence(issue.message!);
  switch (issue.code) {
    case "invalid_type": {
      // Live issues carry the input; JSON copies from the server only zod's text ("received undefined").
      const missing = "input" in issue ? issue.input === undefined || issue.input === null || issue.input === "" : /received (undefined|null)/.test(issue.message ?? "");
      if (missing) return "This is required.";
      if (issue.expected === "number" || issue.expected === "int" || issue.expected === "bigint") return "Enter a number.";
      if (issue.expected === "date") return "Choose a date.";
      if (issue.expected === "array") return "Choose one or more.";
      return "This value is not accepted here.";
    }
    case "too_small": {
      const minimum = issue.minimum ?? 0;
      if (issue.origin === "string") return minimum.toString() === "1" ? "This is required." : `Use at least ${plural(minimum, "character", "characters")}.`;
      if (issue.origin === "array" || issue.origin === "set") return minimum.toString() === "1" ? "Choose at least one." : `Choose at least ${minimum.toString()}.`;
      if (issue.origin === "date") return "This date is too early.";
      return issue.inclusive === false ? `Enter a number above ${minimum.toString()}.` : `Enter ${minimum.toString()} or more.`;
    }
    case "too_big": {
      const maximum = issue.maximum ?? 0;
      if (issue.origin === "string") return `Use at most ${plural(maximum, "character", "characters")}.`;
      if (issue.origin === "array" || issue.origin === "set") return `Choose at most ${maximum.toString()}.`;
      if (issue.origin === "date") return "This date is too late.";
      return issue.inclusive === false ? `Enter a number below ${maximum.toString()}.` : `Enter ${maximum.toString()} or less.`;
    }
    case "invalid_format":
      return formatSentences[issue.format ?? ""] ?? "This is not in the expected format.";
    case "not_multiple_of":
      return `Enter a multiple of ${String(issue.divisor ?? "")}.`;
    case "invalid_value": {
      const values = (issue.values ?? []).map(String);
      return values.length > 0 && values.length <= 8 ? `Choose one of: ${values.join(", ")}.` : "Choose one of the listed values.";
    }
    case "unrecognized_keys":
      return `These fields are not accepted: ${(issue.keys ?? []).map(humanizeKey).join(", ")}.`;
    case "invalid_union":
      return "This value does not fit any of the accepted forms.";
    default:
      return "Check this value.";
  }
}

/** `endsAt` → "Ends at", `usagePrices.0.price.unitPrice` → "Usage prices 1 › price › unit price". */
export function fieldLabel(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "";
  const words = path.map((part) => (typeof part === "number" ? String(part + 1) : humanizeKey(String(part)))).join(" › ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function humanizeKey(key: string): string {
  return key
    .replace(/Micros$/, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/_/g, " ")
    .toLowerCase();
}

/** An issue with where it is, for places that are not next to the field (a toast, a form-level alert). */
export function describeIssueWithField(issue: IssueLike, labels: Record<string, string> = {}): string {
  const key = (issue.path ?? []).map(String).join(".");
  const label = labels[key] ?? fieldLabel(issue.path ?? []);
  const text = describeIssue(issue);
  return label ? `${label}: ${text.charAt(0).toLowerCase()}${text.slice(1)}` : text;
}

function sentence(message: string): string {
  const trimmed = message.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** The error map given to zod when the console validates a form: every default message becomes a sentence. */
export function formErrorMap(issue: IssueLike): string {
  return describeIssue({ ...issue, message: undefined });
}
