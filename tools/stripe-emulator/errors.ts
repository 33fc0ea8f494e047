/** Errors with the shape and HTTP statuses of Stripe's API (`{ error: { type, code, param, message } }`). */
export type StripeErrorType =
  | "invalid_request_error"
  | "card_error"
  | "api_error"
  | "idempotency_error";

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: unknown;
  payment_method?: unknown;
  request_log_url?: string;
}

export class StripeApiError extends Error {
  readonly status: number;
  readonly body: StripeErrorBody;
  readonly headers: Record<string, string>;
  /** Whether an idempotent replay should return this error (errors raised while executing are saved; validation errors are not). */
  readonly saveForIdempotency: boolean;

  constructor(status: number, body: StripeErrorBody, options: { headers?: Record<string, string>; saveForIdempotency?: boolean } = {}) {
    super(body.message);
    this.status = status;
    this.body = body;
    this.headers = options.headers ?? {};
    this.saveForIdempotency = options.saveForIdempotency ?? status !== 400;
  }
}

const docBase = "https://stripe.com/docs/error-codes";

export function invalidRequest(message: string, param?: string, code?: string): StripeApiError {
  return new StripeApiError(400, {
    type: "invalid_request_error",
    message,
    ...(code ? { code, doc_url: `${docBase}/${code.replace(/_/g, "-")}` } : {}),
    ...(param ? { param } : {}),
  });
}

export function missingParam(param: string): StripeApiError {
  return invalidRequest(`Missing required param: ${param}.`, param, "parameter_missing");
}

export function resourceMissing(kind: string, id: string, param = "id"): StripeApiError {
  return new StripeApiError(404, {
    type: "invalid_request_error",
    code: "resource_missing",
    doc_url: `${docBase}/resource-missing`,
    message: `No such ${kind}: '${id}'`,
    param,
  });
}

export function cardDeclined(declineCode: string, extra: Partial<StripeErrorBody> = {}): StripeApiError {
  const messages: Record<string, string> = {
    generic_decline: "Your card was declined.",
    insufficient_funds: "Your card has insufficient funds.",
    expired_card: "Your card has expired.",
  };
  return new StripeApiError(402, {
    type: "card_error",
    code: declineCode === "expired_card" ? "expired_card" : "card_declined",
    decline_code: declineCode,
    doc_url: `${docBase}/card-declined`,
    message: messages[declineCode] ?? "Your card was declined.",
    ...extra,
  });
}

export function unauthorized(message: string): StripeApiError {
  return new StripeApiError(401, { type: "invalid_request_error", message }, { saveForIdempotency: false });
}

export function unrecognizedUrl(method: string, path: string): StripeApiError {
  return new StripeApiError(
    404,
    {
      type: "invalid_request_error",
      message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    },
    { saveForIdempotency: false },
  );
}
