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
  /** Nesting of `data` (the data object itself is level 1). */
  dataDepthMax: 32,
  /**
   * A value a sum, max or latest meter reads (at its value path) must be a number, or a string
   * holding a decimal, in [0, valueLimit) with at most valueDecimalPlacesMax decimal places.
   * Negative values are refused: an event records usage that happened; a correction is not
   * usage (see README, "Usage values").
   */
  valueLimit: "1000000000000000",
  valueDecimalPlacesMax: 12,
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
  "invalid_value",
] as const;
export type RejectCode = (typeof rejectCodes)[number];
