import { TRPCError, type TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { type DomainErrorKind, isDomainError } from "@/server/errors";

const trpcCodeByKind: Record<DomainErrorKind, TRPC_ERROR_CODE_KEY> = {
  invalid: "BAD_REQUEST",
  unauthorized: "UNAUTHORIZED",
  forbidden: "FORBIDDEN",
  not_found: "NOT_FOUND",
  conflict: "CONFLICT",
  precondition: "PRECONDITION_FAILED",
  too_large: "PAYLOAD_TOO_LARGE",
  rate_limited: "TOO_MANY_REQUESTS",
  unavailable: "SERVICE_UNAVAILABLE",
};

/** The one place a domain failure becomes a tRPC error; its stable code rides along as `cause`. */
export function toTrpcError(error: unknown): unknown {
  if (!isDomainError(error)) return error;
  return new TRPCError({ code: trpcCodeByKind[error.kind], message: error.message, cause: error });
}
