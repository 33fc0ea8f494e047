/**
 * The documented limits of POST /api/v1/events. A body past the first two is refused whole
 * (413, nothing stored); the others reject one event and keep its neighbours.
 */
export const ingestLimits = {
  /** Events per request (batch mode). */
  eventsPerRequestMax: 1_000,
  /** Request body size, in bytes. */
  bodyBytesMax: 1_048_576,
  /** One event's `data`, serialized as JSON, in bytes. */
  dataBytesMax: 32_768,
  /** Accepted this far behind receipt time; older is `too_late` (Stripe's meter events allow 35 days). */
  latenessMsMax: 35 * 24 * 60 * 60 * 1000,
  /** Accepted this far ahead of receipt time (clock skew); further is `in_future`. */
  futureMsMax: 5 * 60 * 1000,
  idLengthMax: 256,
  sourceLengthMax: 512,
  typeLengthMax: 256,
  subjectLengthMax: 256,
} as const;

export const rejectCodes = [
  "invalid_event",
  "unsupported_specversion",
  "missing_subject",
  "invalid_time",
  "in_future",
  "too_late",
  "invalid_data",
  "data_too_large",
] as const;
export type RejectCode = (typeof rejectCodes)[number];
