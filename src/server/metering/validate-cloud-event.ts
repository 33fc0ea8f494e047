import { z } from "zod";
import { isLosslessNumber, stringifyJsonExact } from "@/lib/parse-json-exact";
import { describeUnsafeText, unsafeTextKind, type UnsafeTextProblem } from "@/lib/safe-text";
import { ingestLimits, type RejectCode } from "./ingest-limits";
import { meterValueProblem, valueAtPath, type MeterValueRules } from "./meter-values";

/** A CloudEvent that passed validation, normalized for storage. */
export type ValidCloudEvent = {
  id: string;
  source: string;
  type: string;
  subject: string;
  /** ISO 8601 in UTC, millisecond precision. */
  time: string;
  /** `data` serialized as JSON (an object). */
  dataJson: string;
};

export type CloudEventValidation =
  | { ok: true; event: ValidCloudEvent }
  | { ok: false; id: string | null; source: string | null; code: RejectCode; message: string };

export const cloudEventSchema = z.object({
  specversion: z.string().max(16),
  id: z.string().min(1).max(ingestLimits.idLengthMax),
  source: z.string().min(1).max(ingestLimits.sourceLengthMax),
  type: z.string().min(1).max(ingestLimits.typeLengthMax),
  subject: z.string().min(1).max(ingestLimits.subjectLengthMax),
  time: z.string().max(64).optional(),
  datacontenttype: z.string().max(128).optional(),
  data: z.unknown().optional(),
  data_base64: z.undefined({ error: "data_base64 is not supported: send data as a JSON object" }).optional(),
});

type CloudEventAttributes = z.infer<typeof cloudEventSchema>;

/**
 * An event refused while the request body was read (parseCloudEvents), e.g. nested too deeply
 * to parse on its own: it takes its place in the batch and is rejected there, alone.
 */
export class UnreadableEvent {
  constructor(
    readonly code: RejectCode,
    readonly message: string,
  ) {}
}

const storedAttributes = ["id", "source", "type", "subject"] as const;

// RFC 3339 date-time; fields are range-checked below because Date.parse rolls 02-30 over to March.
const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Checks one event on its own; `receivedAtMs` is when the request arrived. With `meterRules`,
 * a value a sum, max or latest meter of the event's type would read must be one it can
 * aggregate (meterValueProblem), else the event is rejected `invalid_value`.
 */
export function validateCloudEvent(item: unknown, receivedAtMs: number, meterRules?: MeterValueRules): CloudEventValidation {
  if (item instanceof UnreadableEvent) return reject(null, null, item.code, item.message);
  if (typeof item !== "object" || item === null || Array.isArray(item) || isLosslessNumber(item)) {
    return reject(null, null, "invalid_event", "An event must be a JSON object.");
  }
  const raw = item as Record<string, unknown>;
  // Echoed in the result only when PostgreSQL could store them (the answer is stored text too).
  const id = typeof raw.id === "string" && unsafeTextKind(raw.id) === null ? raw.id : null;
  const source = typeof raw.source === "string" && unsafeTextKind(raw.source) === null ? raw.source : null;
  if (raw.specversion !== "1.0") {
    return reject(id, source, "unsupported_specversion", 'specversion must be "1.0" (CloudEvents 1.0).');
  }
  if (raw.subject === undefined || raw.subject === null || raw.subject === "") {
    return reject(id, source, "missing_subject", "subject must name the customer (their external id).");
  }
  // The schema decides only when the cheap check fails, and then says what is wrong.
  let attributes: CloudEventAttributes;
  if (hasValidAttributes(raw)) {
    attributes = raw as CloudEventAttributes;
  } else {
    const parsed = cloudEventSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = String(issue?.path[0] ?? "event");
      if (field === "time") return reject(id, source, "invalid_time", "time must be an RFC 3339 timestamp.");
      if (field === "data_base64") return reject(id, source, "invalid_data", issue?.message ?? "invalid data");
      return reject(id, source, "invalid_event", `${field}: ${issue?.message ?? "invalid"}`);
    }
    attributes = parsed.data;
  }
  for (const name of storedAttributes) {
    const kind = unsafeTextKind(attributes[name]);
    if (kind) return reject(id, source, "invalid_event", describeUnsafeText({ kind, path: [] }, name));
  }
  const canonicalTimeMs = attributes.time === undefined ? null : parseCanonicalTime(attributes.time);
  const timeMs = attributes.time === undefined ? receivedAtMs : (canonicalTimeMs ?? parseRfc3339(attributes.time));
  if (timeMs === null) return reject(id, source, "invalid_time", "time must be an RFC 3339 timestamp, e.g. 2026-01-31T23:59:59.123Z.");
  if (timeMs > receivedAtMs + ingestLimits.futureMsMax) {
    return reject(id, source, "in_future", "time is more than 5 minutes in the future; check the sender's clock.");
  }
  if (timeMs < receivedAtMs - ingestLimits.latenessMsMax) {
    return reject(id, source, "too_late", "time is more than 35 days in the past, beyond the lateness window.");
  }
  const data = attributes.data ?? {};
  if (typeof data !== "object" || data === null || Array.isArray(data) || isLosslessNumber(data)) {
    return reject(id, source, "invalid_data", "data must be a JSON object.");
  }
  const inspection = inspectData(data);
  if (inspection.problem) return reject(id, source, "invalid_event", describeUnsafeText(inspection.problem, "data", ingestLimits.dataDepthMax));
  if (inspection.numberPath) {
    return reject(id, source, "invalid_event", `data.${inspection.numberPath.join(".")} is a number too large or too small to store (more than 1000 digits); send it as a string.`);
  }
  for (const rule of meterRules?.get(attributes.type) ?? []) {
    const problem = meterValueProblem(valueAtPath(data, rule.path));
    if (problem) {
      return reject(id, source, "invalid_value",
        `data.${rule.path.join(".")} ${problem}: meter ${rule.meterKey} needs a number from 0 to below ${ingestLimits.valueLimit} with at most ${ingestLimits.valueDecimalPlacesMax} decimal places.`);
    }
  }
  const dataJson = stringifyJsonExact(data, inspection.exactNumbers);
  // Cheap length test first: a UTF-8 byte count is needed only near the limit.
  if (dataJson.length * 3 > ingestLimits.dataBytesMax && Buffer.byteLength(dataJson, "utf8") > ingestLimits.dataBytesMax) {
    return reject(id, source, "data_too_large", `data is larger than ${ingestLimits.dataBytesMax} bytes as JSON.`);
  }
  return {
    ok: true,
    event: {
      id: attributes.id,
      source: attributes.source,
      type: attributes.type,
      subject: attributes.subject,
      // A canonical time is already what toISOString would print.
      time: canonicalTimeMs !== null && attributes.time !== undefined ? attributes.time : new Date(timeMs).toISOString(),
      dataJson,
    },
  };
}

/**
 * What cloudEventSchema accepts, checked by hand: the schema (zod) costs more than the rest of
 * an event's validation, and nearly every event passes. False sends the event to the schema.
 */
export function hasValidAttributes(raw: Record<string, unknown>): boolean {
  return (
    typeof raw.specversion === "string" &&
    raw.specversion.length <= 16 &&
    isString(raw.id, 1, ingestLimits.idLengthMax) &&
    isString(raw.source, 1, ingestLimits.sourceLengthMax) &&
    isString(raw.type, 1, ingestLimits.typeLengthMax) &&
    isString(raw.subject, 1, ingestLimits.subjectLengthMax) &&
    (raw.time === undefined || isString(raw.time, 0, 64)) &&
    (raw.datacontenttype === undefined || isString(raw.datacontenttype, 0, 128)) &&
    raw.data_base64 === undefined
  );
}

function isString(value: unknown, lengthMin: number, lengthMax: number): value is string {
  return typeof value === "string" && value.length >= lengthMin && value.length <= lengthMax;
}

const digit0 = 48;

/**
 * The epoch milliseconds of a time written exactly as toISOString writes it
 * (`2026-01-31T23:59:59.123Z`), or null for any other form (parseRfc3339 takes those).
 */
export function parseCanonicalTime(value: string): number | null {
  if (value.length !== 24 || value[4] !== "-" || value[7] !== "-" || value[10] !== "T" || value[13] !== ":" || value[16] !== ":" || value[19] !== "." || value[23] !== "Z") {
    return null;
  }
  const number = (from: number, to: number): number => {
    let result = 0;
    for (let index = from; index < to; index++) {
      const code = value.charCodeAt(index) - digit0;
      if (code < 0 || code > 9) return -1;
      result = result * 10 + code;
    }
    return result;
  };
  const year = number(0, 4);
  const month = number(5, 7);
  const day = number(8, 10);
  const hour = number(11, 13);
  const minute = number(14, 16);
  const second = number(17, 19);
  const millisecond = number(20, 23);
  // Date.UTC reads years below 100 as 19xx; such times go to parseRfc3339 (and are too late anyway).
  if (year < 1000 || millisecond < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return null;
  }
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day > (month === 2 && !leap ? 28 : (daysInMonth[month - 1] ?? 0))) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
}

/**
 * Walks `data` once, iteratively: text PostgreSQL cannot store (NUL, lone surrogates) in keys or
 * strings, nesting past dataDepthMax, and whether any number is kept as its exact text
 * (LosslessNumber, see parse-json-exact.ts), which then decides how `data` is written back.
 */
function inspectData(data: object): { problem: UnsafeTextProblem | null; numberPath?: string[]; exactNumbers: boolean } {
  let exactNumbers = false;
  const stack: { value: unknown; depth: number; path: string[] }[] = [{ value: data, depth: 1, path: [] }];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (typeof value === "string") {
      const kind = unsafeTextKind(value);
      if (kind) return { problem: { kind, path }, exactNumbers };
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    if (isLosslessNumber(value)) {
      exactNumbers = true;
      if (!isStorableNumberText(value.value)) return { problem: null, numberPath: path, exactNumbers };
      continue;
    }
    if (depth > ingestLimits.dataDepthMax) return { problem: { kind: "too_deep", path }, exactNumbers };
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) stack.push({ value: value[index], depth: depth + 1, path: [...path, String(index)] });
      continue;
    }
    for (const key of Object.keys(value)) {
      const kind = unsafeTextKind(key);
      if (kind) return { problem: { kind, path: [...path, key] }, exactNumbers };
      stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, path: [...path, key] });
    }
  }
  return { problem: null, exactNumbers };
}

/** Whether PostgreSQL's numeric can hold a number's text: at most 1000 digits on each side of the point. */
function isStorableNumberText(text: string): boolean {
  const match = /^-?([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$/.exec(text);
  if (!match) return false;
  const exponent = match[3] === undefined ? 0 : Number(match[3]);
  return Math.abs(exponent) <= 1_000 && (match[1]?.length ?? 0) + exponent <= 1_000 && (match[2]?.length ?? 0) - exponent <= 1_000;
}

function reject(id: string | null, source: string | null, code: RejectCode, message: string): CloudEventValidation {
  return { ok: false, id, source, code, message };
}

const daysInMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function parseRfc3339(value: string): number | null {
  const match = rfc3339.exec(value);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const monthDays = month === 2 && !leap ? 28 : (daysInMonth[month - 1] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 59) return null;
  const offset = match[8] ?? "Z";
  if (offset.length === 6 && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4, 6)) > 59)) return null;
  const ms = Date.parse(value.replace(" ", "T"));
  return Number.isFinite(ms) ? ms : null;
}
